import Logging
import PostgresNIO
import SextonCore
import SextonPostgres
import Synchronization

/// `store.backend: postgres` in the sidecar: the replica's connection pool, the schema
/// migrated at start, a lease sweep every half second (so a live replica expires an operation
/// within 2 s of its lease running out, whichever replica admitted it), and what `/readyz`
/// says of the store.
final class SharedStore: Sendable {
    let store: PostgresOperationStore
    let cleanup: SharedCleanup
    private let client: PostgresClient
    private let schema: StoreSchema
    private let deadline: Duration
    private let logger: Logger
    /// Why the store is not usable now; nil once migrated and answering.
    private let failure = Mutex<String?>("not connected yet")
    /// The store-wide counts as of the last refresh (none before the first).
    private let cachedCounts = Mutex<StoreCounts?>(nil)
    /// A shared setting a live replica has another value for, as the `store` check says it.
    private let disagreementText = Mutex<String?>(nil)
    private let replica: String
    private let settings: [String: String]

    /// How often the store-wide gauges are counted again, and the settings compared.
    static let countsInterval: Duration = .seconds(2)
    /// How often the targets are counted against `max_targets`: a count of every target.
    static let targetsInterval: Duration = .seconds(10)
    /// A replica that recorded its settings this recently counts as live.
    static let liveReplicaWindow: Duration = .seconds(30)

    /// The first shared setting another live replica holds another value of, as
    /// `grace_period: 200ms here (a) vs 1s (b)`.
    static func firstDifference(_ mine: [String: String], replica: String, others: [(String, [String: String])]) -> String? {
        for (other, theirs) in others.sorted(by: { $0.0 < $1.0 }) {
            for key in mine.keys.sorted() where theirs[key] != mine[key] {
                return "\(key): \(mine[key]!) (\(replica)) vs \(theirs[key] ?? "unset") (\(other))"
            }
        }
        return nil
    }

    static let sweepInterval: Duration = .milliseconds(500)
    static let sweepLimit = 1000

    init(
        configuration: SextonConfiguration, clock: any SextonClock, observer: any StoreObserver,
        events: any CoordinatorObserver, cleanupObserver: any CleanupObserver, handlers: [String: any CleanupHandler],
        logger: Logger
    ) {
        let postgres = configuration.store.postgres
        let endpoint = postgres.endpoint!
        var config = PostgresClient.Configuration(
            host: endpoint.host, port: endpoint.port, username: endpoint.user, password: postgres.password?.value,
            database: endpoint.database, tls: .disable)
        config.options.maximumConnections = postgres.maxConnections
        config.options.connectTimeout = .nanoseconds(postgres.connectTimeout.nanoseconds)
        // The pool logs each failed connection attempt at info; the upkeep says it once.
        var poolLogger = logger
        poolLogger.logLevel = .warning
        client = PostgresClient(configuration: config, backgroundLogger: poolLogger)
        schema = StoreSchema(postgres.schema)!
        replica = configuration.store.replicaName
        settings = Self.sharedSettings(configuration.coordinator)
        self.logger = logger
        let c = configuration.coordinator
        deadline = postgres.connectTimeout
        let planning = ZombiePlanning(CleanupPlanner(config: configuration.cleanup, policies: configuration.policies))
        cleanup = SharedCleanup(
            client: client, schema: schema, replica: replica, planning: planning, handlers: handlers,
            memory: MemoryPressureProbe(configuration.memory), observer: cleanupObserver, clock: clock,
            claimTimeout: Self.claimTimeout(configuration.handlers), deadline: deadline, logger: logger,
            storeObserver: observer)
        let staging = SharedStaging(schema: schema, settings: ResolutionSettings(
            stagingWindow: c.stagingWindow, gracePeriod: c.gracePeriod, protectExecuting: c.protectExecuting,
            leaseTimeout: c.leaseTimeout, maxOpsPerTarget: c.maxOpsPerTarget, maxStagingSize: c.maxStagingSize,
            historyRetention: c.historyRetention, maxHistory: c.maxHistory, maxTargets: c.maxTargets), zombies: planning)
        store = PostgresOperationStore(
            client: client, staging: staging, deadline: deadline, clock: clock, observer: observer, events: events,
            cleanup: cleanup, logger: logger)
    }

    /// How long a replica's claim on a zombie lasts while its handler runs: past the longest a
    /// configured handler may take (a webhook's timeout), so only a replica that died loses one.
    static func claimTimeout(_ handlers: [String: HandlerConfig]) -> Duration {
        let longest = handlers.values.compactMap { handler -> Duration? in
            if case .webhook(let webhook) = handler.kind { return webhook.timeout }
            return nil
        }.max() ?? .zero
        return max(.seconds(60), longest * 2)
    }

    var unavailable: String? { failure.withLock { $0 } }

    var counts: StoreCounts? { cachedCounts.withLock { $0 } }

    var disagreement: String? { disagreementText.withLock { $0 } }

    /// The settings that shape resolution (CONTRACT §10), as this replica records them.
    static func sharedSettings(_ c: CoordinatorConfig) -> [String: String] {
        [
            "staging_window": c.stagingWindow.prometheusText, "grace_period": c.gracePeriod.prometheusText,
            "protect_executing": "\(c.protectExecuting)", "lease_timeout": c.leaseTimeout.prometheusText,
            "history_retention": c.historyRetention.prometheusText, "max_history": "\(c.maxHistory)",
            "max_ops_per_target": "\(c.maxOpsPerTarget)", "max_staging_size": "\(c.maxStagingSize)",
        ]
    }

    var loops: [BackgroundWork] {
        let client = self.client
        return [
            BackgroundWork("store-pool") { await client.run() },
            BackgroundWork("store-upkeep") { await self.upkeep() },
            BackgroundWork("cleanup") { await self.cleanup.run() },
        ]
    }

    /// Migrates (again and again until it works), then sweeps leases and windows and recounts
    /// the gauges until cancelled; each round's outcome is the store's readiness.
    private func upkeep() async {
        var migrated = false
        var nextCount = ContinuousClock.now
        var nextTargets = ContinuousClock.now
        while !Task.isCancelled {
            do {
                if !migrated {
                    // Not a timed round: waiting for another replica's migration is not latency.
                    _ = try await withDeadline(deadline) { [client, schema, logger] in
                        try await SchemaMigrator.migrate(client, schema: schema, logger: logger)
                    }
                    migrated = true
                }
                let countNow = ContinuousClock.now >= nextCount
                if ContinuousClock.now >= nextTargets {
                    _ = try await store.round(.sweep) { [store] in try await store.trimTargets(limit: Self.sweepLimit) }
                    nextTargets = ContinuousClock.now + Self.targetsInterval
                }
                let counts = try await store.round(.sweep) { [store, client, logger] in
                    let expired = try await store.lifecycle.sweepLeases(limit: Self.sweepLimit, on: client, logger: logger)
                    for _ in 0..<expired { store.reportEnded(.expired) }
                    _ = try await store.resolveOverdueWindows(limit: Self.sweepLimit)
                    try await store.settleInDoubt()
                    guard countNow else { return StoreCounts?.none }
                    _ = try await store.trimHistory(limit: Self.sweepLimit)
                    return try await store.counts()
                }
                if let counts {
                    cachedCounts.withLock { $0 = counts }
                    cleanup.observe(counts)
                    nextCount = ContinuousClock.now + Self.countsInterval
                    let others = try await store.round(.sweep) { [store, replica, settings] in
                        try await store.recordSettings(settings, replica: replica, liveWithin: Self.liveReplicaWindow)
                    }
                    let found = Self.firstDifference(settings, replica: replica, others: others)
                    if found != disagreement, let found { logger.warning("replicas disagree", metadata: ["setting": "\(found)"]) }
                    disagreementText.withLock { $0 = found }
                }
                if failure.withLock({ $0 }) != nil { logger.info("store available") }
                failure.withLock { $0 = nil }
            } catch {
                let message = PostgresOperationStore.sextonError(error).message
                if failure.withLock({ $0 }) == nil { logger.warning("store unavailable", metadata: ["error": "\(message)"]) }
                failure.withLock { $0 = message }
            }
            try? await Task.sleep(for: Self.sweepInterval)
        }
    }
}
