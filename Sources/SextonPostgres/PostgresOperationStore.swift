import Foundation
import Logging
import PostgresNIO
import SextonCore
import Synchronization

/// `store.backend: postgres` (CONTRACT §10): every replica on the same database and schema is
/// one coordinator. Each call runs as a task on the pool and answers through `done`; a
/// submission waits out its target's window on the database's clock, then resolves the batch
/// or, when another replica got there first, reads the decision it wrote.
public final class PostgresOperationStore: OperationStore {
    public let client: PostgresClient
    public let staging: SharedStaging
    public let lifecycle: SharedLifecycle
    /// How long one round with the database may take before the call answers
    /// `store_unavailable` (`store.postgres.connect_timeout`).
    public let deadline: Duration
    private let clock: any SextonClock
    private let observer: (any StoreObserver)?
    /// Counts what this replica decided (CONTRACT §10: counters count what this replica did).
    private let events: (any CoordinatorObserver)?
    /// Hears of each zombie this replica creates, and removes the lazy ones a read meets.
    private let cleanup: SharedCleanup?
    private let report: DecisionReport
    private let rounds: SubmissionRounds
    /// Submissions whose staging round failed when it may have committed (the deadline or the
    /// connection went before the answer), settled once the store answers again, so that each
    /// submission that entered the store is counted.
    private let inDoubt = Mutex<[InDoubt]>([])

    private struct InDoubt {
        var id: String
        var band: PriorityBand
        /// Staged and resolved in one transaction (an explicit batch): its decision is counted too.
        var resolved: Bool
    }
    private let logger: Logger

    public init(
        client: PostgresClient, staging: SharedStaging, deadline: Duration, clock: any SextonClock,
        observer: (any StoreObserver)? = nil, events: (any CoordinatorObserver)? = nil, cleanup: SharedCleanup? = nil,
        logger: Logger
    ) {
        self.client = client
        self.staging = staging
        lifecycle = SharedLifecycle(staging: staging)
        self.deadline = deadline
        self.clock = clock
        self.observer = observer
        self.events = events
        self.cleanup = cleanup
        self.logger = logger
        report = DecisionReport(events: events, cleanup: cleanup)
        rounds = SubmissionRounds(
            client: client, staging: staging, deadline: deadline, observer: observer, report: report, logger: logger)
    }

    /// One round with the database, bounded by the deadline and timed for the metrics.
    public func round<T: Sendable>(_ operation: StoreOperation, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await timedRound(operation, deadline: deadline, observer: observer, body)
    }

    public var leaseTimeout: Duration { staging.settings.leaseTimeout }

    public func submit(_ request: OperationRequest, _ done: @escaping Done<Decision>) {
        Task {
            do {
                done(.success(try await submitNow(request)))
            } catch {
                done(.failure(Self.sextonError(error)))
            }
        }
    }

    public func submitBatch(_ requests: [OperationRequest], _ done: @escaping @Sendable ([Result<Decision, SextonError>]) -> Void) {
        Task {
            var results = [Result<Decision, SextonError>?](repeating: nil, count: requests.count)
            var byTarget: [String: [(Int, OperationRequest, String)]] = [:]
            for (position, request) in requests.enumerated() {
                do throws(SextonError) {
                    try request.validate()
                    byTarget[request.target, default: []].append((position, request, request.id ?? Self.newID()))
                } catch {
                    results[position] = .failure(error)
                }
            }
            for (target, members) in byTarget {
                do {
                    let batch = try await round(.submit) { [client, staging, logger] in try await client.withTransaction(logger: logger) { connection in
                        for staged in try await staging.stage(members.map { SharedStaging.Submission($1, id: $2) }, on: connection, logger: logger) {
                            _ = try staged.get()
                        }
                        guard case .resolved(let batch) = try await staging.resolveNow(target: target, on: connection, logger: logger) else {
                            return SharedStaging.ResolvedBatch?.none
                        }
                        return batch
                    } }
                    for (_, request, _) in members { events?.submitted(request.priority.band) }
                    if let batch { report.resolved(batch) }
                    for (position, _, id) in members {
                        results[position] = batch?.decisions.first { $0.id == id }.map { .success($0) } ?? .failure(SextonError(.notFound, "no decision for \(id)"))
                    }
                } catch {
                    let failure = Self.sextonError(error)
                    if failure.code == .storeUnavailable {
                        doubt(members.map { InDoubt(id: $0.2, band: $0.1.priority.band, resolved: true) })
                    }
                    for (position, _, _) in members { results[position] = .failure(failure) }
                }
            }
            done(results.map { $0! })
        }
    }

    public func apply(_ transition: Transition, to id: String, _ done: @escaping Done<OperationView>) {
        run(.transition, done) {
            do {
                self.reportEnded(try await self.lifecycle.apply(transition, to: id, on: self.client, logger: self.logger))
            } catch let refused as AppliedButRefused {
                self.reportEnded(refused.ended)
                throw refused.refusal
            }
            return try await self.view(id)
        }
    }

    public func operation(_ id: String, _ done: @escaping Done<OperationView>) {
        run(.read, done) { try await self.view(id) }
    }

    public func target(_ name: String, _ done: @escaping Done<TargetReport>) {
        run(.read, done) {
            let s = self.staging.schema.quoted
            let rows = try await self.client.query(PostgresQuery(unsafeSQL: """
                SELECT t.version, t.active_id, (SELECT count(*)::int FROM \(s).operations o WHERE o.target = t.name AND o.status = 'staged')
                FROM \(s).targets t WHERE t.name = $1
                """, binds: bindings(name)), logger: self.logger).decode((Int, String?, Int).self).collect()
            let (version, active, staged) = rows.first ?? (0, nil, 0)
            let view = try await active.asyncMap { try await self.view($0) }
            try await self.cleanup?.visit(target: name, targetType: nil)
            let zombies = try await self.zombieList(ZombieQuery(target: name, limit: 1000))
            return TargetReport(target: TargetView(target: name, version: version, active: view, staged: staged), zombies: zombies)
        }
    }

    public func zombies(_ query: ZombieQuery, _ done: @escaping Done<[TrackedZombie]>) {
        run(.read, done) {
            // A filtered read meets its lazy zombies; an unfiltered one would sweep the whole store
            // on the request's path, which the replicas' sweeps do within half a second anyway.
            if query.target != nil || query.targetType != nil {
                try await self.cleanup?.visit(target: query.target, targetType: query.targetType)
            }
            return try await self.zombieList(query)
        }
    }

    /// Counts an admitted operation this replica ended.
    public func reportEnded(_ outcome: CompletionOutcome?) {
        report.ended(outcome)
    }

    private func doubt(_ submissions: [InDoubt]) {
        inDoubt.withLock { $0 += submissions }
    }

    /// Counts the submissions in doubt that did enter the store (and an explicit batch's
    /// decisions, which nobody else counts), and forgets the doubt of all of them.
    public func settleInDoubt() async throws {
        let pending = inDoubt.withLock { $0 }
        guard !pending.isEmpty else { return }
        let s = staging.schema.quoted
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT id, status, reason FROM \(s).operations WHERE id = ANY($1)
            """, binds: bindings(pending.map(\.id))), logger: logger).decode((String, String, String?).self).collect()
        let found = Dictionary(rows.map { ($0.0, ($0.1, $0.2)) }, uniquingKeysWith: { first, _ in first })
        let settled = Set(pending.map(\.id))
        inDoubt.withLock { $0.removeAll { settled.contains($0.id) } }
        guard let events else { return }
        for submission in pending {
            guard let (status, reason) = found[submission.id] else { continue }
            events.submitted(submission.band)
            guard submission.resolved else { continue }
            // Rejected in staging, or admitted (and perhaps ended or preempted since).
            if status == OperationStatus.rejected.rawValue, let reason = reason.flatMap(RejectReason.init(rawValue:)), reason != .preempted {
                events.rejected(stage: .staging, reason: reason)
            } else {
                events.admitted()
            }
        }
    }

    /// Forgets ended operations past `history_retention`, then the oldest beyond `max_history`,
    /// at most `limit` in one round (the history index, oldest first); zombies stay. Returns how
    /// many were forgotten for `max_history` (the retention's are not evictions).
    public func trimHistory(limit: Int) async throws -> (expired: Int, evicted: Int) {
        let s = staging.schema.quoted
        let forget = """
            DELETE FROM \(s).operations WHERE id IN (
                SELECT o.id FROM \(s).operations o
                WHERE o.ended_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \(s).zombies z WHERE z.operation_id = o.id)
                  AND %@
                ORDER BY o.ended_at LIMIT $1)
            RETURNING id
            """
        let retention = staging.settings.historyRetention.seconds
        let expired = try await client.query(PostgresQuery(
            unsafeSQL: forget.replacingOccurrences(of: "%@", with: "o.ended_at < now() - make_interval(secs => $2)"),
            binds: bindings(limit, retention)), logger: logger).decode(String.self).collect().count
        let counted = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT count(*)::int FROM \(s).operations o
            WHERE o.ended_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \(s).zombies z WHERE z.operation_id = o.id)
            """), logger: logger).decode(Int.self).collect()
        let excess = min(max((counted.first ?? 0) - staging.settings.maxHistory, 0), limit)
        guard excess > 0 else { return (expired, 0) }
        let evicted = try await client.query(PostgresQuery(
            unsafeSQL: forget.replacingOccurrences(of: "%@", with: "true"), binds: bindings(excess)),
            logger: logger).decode(String.self).collect().count
        if evicted > 0 { events?.historyEvicted(evicted) }
        return (expired, evicted)
    }

    /// Forgets targets beyond `max_targets`, at most `limit` in one round: the least recently
    /// staged first among those with nothing staged, active, zombie or in history (their version
    /// starts again at 0, as in memory). A stage racing one waits on its row and then makes it anew.
    /// Counts every target, so the sidecar calls it every few seconds, not on each sweep.
    public func trimTargets(limit: Int) async throws -> Int {
        let s = staging.schema.quoted
        // Counting the targets every pass would cost more than the trim: the planner's estimate
        // (autovacuum's analyze keeps it within about 10%; -1 before the first) says first
        // whether the table is anywhere near the cap, and only then are they counted.
        let estimate = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT reltuples::float8 FROM pg_class WHERE oid = '\(s).targets'::regclass
            """), logger: logger).decode(Double.self).collect().first ?? -1
        if estimate >= 0 && estimate < Double(staging.settings.maxTargets) / 2 { return 0 }
        let evicted = try await client.query(PostgresQuery(unsafeSQL: """
            DELETE FROM \(s).targets WHERE name IN (
                SELECT t.name FROM \(s).targets t
                WHERE t.active_id IS NULL AND t.window_closes_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM \(s).operations o WHERE o.target = t.name)
                ORDER BY t.idle_since
                LIMIT least(greatest((SELECT count(*) FROM \(s).targets) - $1, 0), $2)
                FOR UPDATE SKIP LOCKED)
            RETURNING 1
            """, binds: bindings(staging.settings.maxTargets, limit)), logger: logger).collect().count
        for _ in 0..<evicted { events?.targetEvicted() }
        return evicted
    }

    /// Resolves windows that closed over a second ago and are still open: their submitters'
    /// replica went away between staging and resolving. How many it resolved.
    public func resolveOverdueWindows(limit: Int) async throws -> Int {
        let s = staging.schema.quoted
        let overdue = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT name FROM \(s).targets WHERE window_closes_at < now() - interval '1 second' LIMIT $1
            """, binds: bindings(limit)), logger: logger).decode(String.self).collect()
        guard !overdue.isEmpty else { return 0 }
        var resolved = 0
        for case .resolved(let batch) in try await staging.resolve(overdue, on: client, logger: logger).values {
            report.resolved(batch)
            resolved += 1
        }
        return resolved
    }

    /// The store-wide values behind the gauges of shared state (CONTRACT §10), counted in one
    /// query; the sidecar refreshes them every few seconds so a scrape never counts.
    public func counts() async throws -> StoreCounts {
        let s = staging.schema.quoted
        let totals = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT (SELECT count(*)::int FROM \(s).operations WHERE status = 'staged'),
                   (SELECT count(*)::int FROM \(s).operations WHERE status IN ('admitted', 'executing')),
                   (SELECT count(*)::int FROM \(s).entities WHERE holder IS NOT NULL),
                   (SELECT (extract(epoch FROM now() - min(ended_at)) * 1e9)::int8 FROM \(s).zombies),
                   (SELECT count(*)::int FROM \(s).zombies WHERE due_at <= now())
            """), logger: logger).decode((Int, Int, Int, Int64?, Int).self).collect()
        let byType = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT target_type, count(*)::int FROM \(s).zombies GROUP BY target_type
            """), logger: logger).decode((String, Int).self).collect()
        let (staged, active, entities, oldest, due) = totals.first ?? (0, 0, 0, nil, 0)
        return StoreCounts(
            staged: staged, active: active, registryEntities: entities,
            zombiesByTargetType: Dictionary(uniqueKeysWithValues: byType), oldestZombieAge: oldest.map { .nanoseconds($0) },
            cleanupBacklog: due)
    }

    /// Records this replica's shared settings and returns those of the other replicas that
    /// recorded theirs within `liveWithin`.
    public func recordSettings(_ settings: [String: String], replica: String, liveWithin: Duration) async throws -> [(String, [String: String])] {
        let s = staging.schema.quoted
        let json = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
        try await client.query(PostgresQuery(unsafeSQL: """
            INSERT INTO \(s).replicas (name, settings, seen_at) VALUES ($1, $2::jsonb, now())
            ON CONFLICT (name) DO UPDATE SET settings = excluded.settings, seen_at = now()
            """, binds: bindings(replica, json)), logger: logger)
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT name, settings::text FROM \(s).replicas WHERE name <> $1 AND seen_at > now() - make_interval(secs => $2)
            """, binds: bindings(replica, liveWithin.seconds)), logger: logger).decode((String, String).self).collect()
        return try rows.map { ($0.0, try JSONDecoder().decode([String: String].self, from: Data($0.1.utf8))) }
    }

    // MARK: -

    private func submitNow(_ request: OperationRequest) async throws -> Decision {
        try request.validate()
        let id = request.id ?? Self.newID()
        var wait: Duration
        do {
            wait = try await rounds.stage(SharedStaging.Submission(request, id: id))
        } catch {
            if Self.sextonError(error).code == .storeUnavailable {
                doubt([InDoubt(id: id, band: request.priority.band, resolved: false)])
            }
            throw error
        }
        events?.submitted(request.priority.band)
        // Staged: from here the batch resolves even if this replica goes away (another one's
        // submission, or the upkeep's sweep of overdue windows).
        while true {
            if wait > .zero { try await Task.sleep(for: wait) }
            switch try await rounds.answer(SubmissionRounds.Waiter(target: request.target, id: id)) {
            case .decided(let decision): return decision
            case .open(let left): wait = left
            case .pending: wait = .milliseconds(1)
            }
        }
    }

    private func view(_ id: String) async throws -> OperationView {
        let s = staging.schema.quoted
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT o.target, o.target_type, o.op_type, o.priority, o.effective_priority, o.status, o.reason,
                   \(Self.nanos("o.submitted_at")), \(Self.nanos("o.admitted_at")), \(Self.nanos("o.started_at")),
                   \(Self.nanos("o.last_heartbeat_at")), \(Self.nanos("o.ended_at")),
                   o.entity_index, o.entity_generation, o.in_registry, z.operation_id IS NOT NULL,
                   o.parent, o.retry_of, o.retry_count, o.winner, o.error
            FROM \(s).operations o LEFT JOIN \(s).zombies z ON z.operation_id = o.id WHERE o.id = $1
            """, binds: bindings(id)), logger: logger)
        var found: OperationView?
        for try await row in rows {
            let (target, targetType, opType, priority, effective, status, reason) =
                try row.decode((String, String, String, Int, Int, String, String?).self)
            let columns = Array(row)
            func time(_ index: Int) throws -> Timestamp? { try columns[index].decode(Int64?.self).map(localTime) }
            let index = try columns[12].decode(Int?.self), generation = try columns[13].decode(Int?.self)
            found = OperationView(
                id: id, target: target, targetType: targetType, opType: opType, priority: Priority(priority)!,
                effectivePriority: Priority(effective)!, status: OperationStatus(rawValue: status)!,
                reason: reason.flatMap(RejectReason.init(rawValue:)), submittedAt: try time(7)!, admittedAt: try time(8),
                startedAt: try time(9), lastHeartbeatAt: try time(10), endedAt: try time(11),
                ecsId: index.map { EntityID(index: UInt32($0), generation: UInt32(generation ?? 0)) },
                inRegistry: try columns[14].decode(Bool.self), isZombie: try columns[15].decode(Bool.self),
                parent: try columns[16].decode(String?.self), retryOf: try columns[17].decode(String?.self),
                retryCount: try columns[18].decode(Int.self), winner: try columns[19].decode(String?.self),
                error: try columns[20].decode(String?.self))
        }
        guard let found else { throw SextonError(.notFound, "no operation \(id)") }
        return found
    }

    private func zombieList(_ query: ZombieQuery) async throws -> [TrackedZombie] {
        let s = staging.schema.quoted
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT \(ZombieRow.columns)
            FROM \(s).zombies z JOIN \(s).operations o ON o.id = z.operation_id
            WHERE ($1::text IS NULL OR z.target = $1) AND ($2::text IS NULL OR z.target_type = $2)
            ORDER BY z.ended_at, o.seq LIMIT $3
            """, binds: bindings(query.target, query.targetType, query.limit)), logger: logger)
        return try await rows.collect().map { try ZombieRow($0, clock: clock).tracked(clock: clock) }
    }

    private func localTime(_ wallNanos: Int64) -> Timestamp { clock.local(WallTime(nanosecondsSinceEpoch: wallNanos)) }

    private static func nanos(_ column: String) -> String { ZombieRow.nanos(column) }

    private static func newID() -> String { UUID().uuidString.lowercased() }

    /// `body` as a task, one round, answering through `done`.
    private func run<T: Sendable>(_ operation: StoreOperation, _ done: @escaping Done<T>, _ body: @escaping @Sendable () async throws -> T) {
        Task {
            do {
                done(.success(try await round(operation, body)))
            } catch {
                done(.failure(Self.sextonError(error)))
            }
        }
    }

    /// A refusal passes through; anything else is the store failing: 503, try again.
    public static func sextonError(_ error: any Error) -> SextonError {
        if let error = error as? SextonError { return error }
        if let error = error as? PostgresTransactionError, let refusal = error.closureError as? SextonError { return refusal }
        if let error = error as? StoreDeadlineExceeded { return SextonError(.storeUnavailable, "the shared store \(error)") }
        return SextonError(.storeUnavailable, "the shared store failed: \(error)")
    }
}

extension Optional {
    func asyncMap<U>(_ transform: (Wrapped) async throws -> U) async rethrows -> U? {
        guard let self else { return nil }
        return try await transform(self)
    }
}

/// What the whole store holds now, for the gauges of shared state.
public struct StoreCounts: Sendable, Equatable {
    public var staged: Int
    public var active: Int
    public var registryEntities: Int
    public var zombiesByTargetType: [String: Int]
    public var oldestZombieAge: Duration?
    /// Zombies due and not yet removed: waiting for a handler, a retry, or a replica's sweep.
    public var cleanupBacklog: Int

    public var zombieCount: Int { zombiesByTargetType.values.reduce(0, +) }
}
