import Logging
import PostgresNIO
import SextonCore
import SextonCoreTesting
import SextonPostgres
import Synchronization
import Testing

/// One table of CONTRACT §2.3 scenarios, run against the in-process coordinator and against the
/// shared store on a real PostgreSQL: both decide through `ResolutionRule`, and this table is
/// what keeps the two from drifting.
struct ResolutionScenario: Sendable, CustomTestStringConvertible {
    struct Holder: Sendable {
        var priority: Priority
        var executing = false
    }

    var name: String
    var holder: Holder?
    var grace: Duration = .zero
    var protectExecuting = false
    /// The batch, in arrival order: priority and expected version.
    var batch: [(Priority, Int?)]
    /// The member admitted, if any.
    var winner: Int?
    /// Each loser's reason, in batch order (the winner's entry is ignored).
    var reasons: [RejectReason?]
    var holderPreempted = false

    var testDescription: String { name }

    static let all: [ResolutionScenario] = [
        ResolutionScenario(
            name: "free target: the highest priority wins, the earlier one on a tie",
            batch: [(.normal, nil), (.high, nil), (.high, nil)], winner: 1,
            reasons: [.lostConflict, nil, .lostConflict]),
        ResolutionScenario(
            name: "a fresh holder is protected by the grace period",
            holder: Holder(priority: .normal), grace: .seconds(3600),
            batch: [(.critical, nil), (.low, nil)], winner: nil, reasons: [.gracePeriod, .gracePeriod]),
        ResolutionScenario(
            name: "after the grace period a strictly higher priority preempts",
            holder: Holder(priority: .normal), batch: [(.high, nil), (.normal, nil)], winner: 0,
            reasons: [nil, .lostConflict], holderPreempted: true),
        ResolutionScenario(
            name: "an equal priority does not preempt",
            holder: Holder(priority: .high), batch: [(.high, nil), (.normal, nil)], winner: nil,
            reasons: [.targetBusy, .targetBusy]),
        ResolutionScenario(
            name: "protect_executing keeps a running holder",
            holder: Holder(priority: .low, executing: true), protectExecuting: true,
            batch: [(.critical, nil)], winner: nil, reasons: [.executingProtected]),
        ResolutionScenario(
            name: "a running holder without protect_executing is preempted",
            holder: Holder(priority: .low, executing: true), batch: [(.critical, nil)], winner: 0,
            reasons: [nil], holderPreempted: true),
        ResolutionScenario(
            name: "a stale expected_version cannot win, whatever its priority",
            batch: [(.critical, 3), (.low, 0)], winner: 1, reasons: [.versionConflict, nil]),
        ResolutionScenario(
            name: "every member stale: nobody wins and the target stays free",
            batch: [(.high, 1), (.low, 2)], winner: nil, reasons: [.versionConflict, .versionConflict]),
    ]
}

/// What a store decided for a scenario: the batch's decisions and the holder's status after.
struct ScenarioOutcome: Equatable {
    var admitted: [Bool]
    var reasons: [RejectReason?]
    var winners: [String?]
    var holderStatus: OperationStatus?

    init(_ decisions: [Decision], holderStatus: OperationStatus?) {
        admitted = decisions.map(\.isAdmitted)
        reasons = decisions.map(\.reason)
        winners = decisions.map(\.winner)
        self.holderStatus = holderStatus
    }

    /// What the scenario says both stores must decide.
    init(expected scenario: ResolutionScenario) {
        admitted = scenario.batch.indices.map { $0 == scenario.winner }
        reasons = scenario.batch.indices.map { $0 == scenario.winner ? nil : scenario.reasons[$0] }
        let holds = scenario.winner.map { "b\($0)" } ?? (scenario.holder == nil ? nil : "h")
        winners = scenario.batch.map { _ in holds }
        holderStatus = scenario.holder.map { holder in
            scenario.holderPreempted ? .rejected : holder.executing ? .executing : .admitted
        }
    }
}

final class DroppedZombies: ZombieSink {
    func zombieCreated(_ zombie: Zombie) {}
}

@Suite struct ResolutionScenarioTests {
    let logger = Logger(label: "resolution-scenarios")

    @Test(arguments: ResolutionScenario.all)
    func theMemoryStoreDecidesAsTheTableSays(_ scenario: ResolutionScenario) throws {
        var config = CoordinatorConfig()
        config.stagingWindow = .zero
        config.gracePeriod = scenario.grace
        config.protectExecuting = scenario.protectExecuting
        let clock = ManualClock()
        let coordinator = Coordinator(
            config: config, clock: clock, scheduler: ManualScheduler(clock: clock), zombies: DroppedZombies())
        if let holder = scenario.holder {
            let decisions = coordinator.submitBatch([OperationRequest(id: "h", target: "t", priority: holder.priority)])
            #expect(try decisions[0].get().isAdmitted)
            if holder.executing { try coordinator.start("h") }
        }
        let batch = scenario.batch.enumerated().map { index, member in
            OperationRequest(id: "b\(index)", target: "t", priority: member.0, expectedVersion: member.1)
        }
        let decisions = try coordinator.submitBatch(batch).map { try $0.get() }
        let outcome = ScenarioOutcome(decisions, holderStatus: coordinator.operation("h")?.status)
        #expect(outcome == ScenarioOutcome(expected: scenario))
    }

    @Test func theSharedStoreDecidesAsTheTableSays() async throws {
                let logger = logger
        try await PostgresCluster.with { cluster in try await cluster.withClient { client in
            for (number, scenario) in ResolutionScenario.all.enumerated() {
                // One schema per scenario: each starts from an empty store.
                let schema = try #require(StoreSchema("scenario_\(number)"))
                try await SchemaMigrator.migrate(client, schema: schema, logger: logger)
                let staging = SharedStaging(schema: schema, settings: ResolutionSettings(
                    stagingWindow: .zero, gracePeriod: scenario.grace, protectExecuting: scenario.protectExecuting,
                    leaseTimeout: .seconds(30)))
                if let holder = scenario.holder {
                    try await stage([OperationRequest(id: "h", target: "t", priority: holder.priority)], with: staging, on: client)
                    guard case .resolved(let batch) = try await staging.resolve(target: "t", on: client, logger: logger) else {
                        Issue.record("the holder's batch did not resolve")
                        return
                    }
                    #expect(batch.decisions.map(\.isAdmitted) == [true])
                    if holder.executing { try await SharedLifecycle(staging: staging).apply(.start, to: "h", on: client, logger: logger) }
                }
                try await stage(scenario.batch.enumerated().map { index, member in
                    OperationRequest(id: "b\(index)", target: "t", priority: member.0, expectedVersion: member.1)
                }, with: staging, on: client)
                guard case .resolved(let batch) = try await staging.resolve(target: "t", on: client, logger: logger) else {
                    Issue.record("\(scenario.name): the batch did not resolve")
                    return
                }
                let status = try await client.query(
                    PostgresQuery(unsafeSQL: "SELECT status FROM \(schema.quoted).operations WHERE id = 'h'"), logger: logger
                ).decode(String.self).reduce(into: [String]()) { $0.append($1) }.first.flatMap(OperationStatus.init(rawValue:))
                #expect(ScenarioOutcome(batch.decisions, holderStatus: status) == ScenarioOutcome(expected: scenario), "\(scenario.name)")
                #expect(batch.endedHolder == (scenario.holderPreempted ? .preempted : nil), "\(scenario.name)")
                #expect(batch.detected == (scenario.batch.count > 1 || scenario.holder != nil), "\(scenario.name)")
            }
        } }
    }

    private func stage(_ requests: [OperationRequest], with staging: SharedStaging, on client: PostgresClient) async throws {
        for request in requests {
            _ = try await client.withConnection { connection in
                try await staging.stage(request, id: request.id!, on: connection, logger: logger)
            }
        }
    }
}

/// CONTRACT §10: submissions for one target through different replicas within the staging
/// window form one batch with one winner.
@Suite struct SharedStagingAcrossReplicasTests {
    let logger = Logger(label: "shared-staging")

    @Test func targetsRacedFromTwoReplicasGetOneBatchAndOneWinnerEach() async throws {
                let schema = try #require(StoreSchema("sexton"))
        let logger = logger
        let settings = ResolutionSettings(
            stagingWindow: .seconds(1), gracePeriod: .zero, protectExecuting: false, leaseTimeout: .seconds(30))
        let targets = (0..<50).map { "race-\($0)" }
        // Two replicas: a pool each, both resolving every target they staged for.
        try await PostgresCluster.with { cluster in try await cluster.withClient(maxConnections: 4) { a in
            try await cluster.withClient(maxConnections: 4) { b in
                try await SchemaMigrator.migrate(a, schema: schema, logger: logger)
                let staging = SharedStaging(schema: schema, settings: settings)
                let outcomes = try await withThrowingTaskGroup(of: [SharedStaging.Resolution].self) { group in
                    for (replica, client) in [("a", a), ("b", b)] {
                        group.addTask {
                            var closesIn: [String: Duration] = [:]
                            for target in targets {
                                closesIn[target] = try await client.withConnection { connection in
                                    try await staging.stage(
                                        OperationRequest(id: "\(replica)-\(target)", target: target, priority: replica == "a" ? .normal : .high),
                                        id: "\(replica)-\(target)", on: connection, logger: logger)
                                }
                            }
                            try await Task.sleep(for: closesIn.values.max()!)
                            var resolutions: [SharedStaging.Resolution] = []
                            for target in targets {
                                resolutions.append(try await staging.resolve(target: target, on: client, logger: logger))
                            }
                            return resolutions
                        }
                    }
                    return try await group.reduce(into: []) { $0.append(contentsOf: $1) }
                }
                var resolvedBatches: [[Decision]] = []
                for outcome in outcomes {
                    switch outcome {
                    case .resolved(let batch): resolvedBatches.append(batch.decisions)
                    case .nothingStaged, .busy: break
                    case .open(let left): Issue.record("a window was still open \(left) after it closed")
                    }
                }
                // Each target resolved once, as one batch of both replicas' submissions, and the
                // high priority one (through b) won it.
                #expect(resolvedBatches.count == targets.count)
                for batch in resolvedBatches {
                    #expect(batch.count == 2)
                    #expect(batch.filter(\.isAdmitted).map(\.id) == ["b-\(batch[0].target)"])
                }
                let admitted = try await a.query(
                    PostgresQuery(unsafeSQL: "SELECT count(*)::int, count(DISTINCT target)::int FROM sexton.operations WHERE status = 'admitted'"),
                    logger: logger
                ).decode((Int, Int).self).reduce(into: [(Int, Int)]()) { $0.append($1) }
                #expect(admitted.first?.0 == targets.count && admitted.first?.1 == targets.count)
                // Entities are unique store-wide.
                let entities = try await a.query(
                    PostgresQuery(unsafeSQL: "SELECT count(DISTINCT (entity_index, entity_generation))::int FROM sexton.operations WHERE in_registry"),
                    logger: logger
                ).decode(Int.self).reduce(into: [Int]()) { $0.append($1) }
                #expect(entities == [targets.count])
            }
        } }
    }
}

/// CONTRACT §2.3's staging limits hold store-wide: a refused submission changes nothing.
@Suite struct SharedStagingLimitsTests {
    let logger = Logger(label: "shared-limits")

    @Test func aFullTargetOrStoreRefusesWithStagingFullAndStagesNothing() async throws {
        let logger = logger
        try await PostgresCluster.withStaging(ResolutionSettings(
            stagingWindow: .seconds(60), gracePeriod: .zero, protectExecuting: false, leaseTimeout: .zero,
            maxOpsPerTarget: 2, maxStagingSize: 3), logger: logger
        ) { client, staging in
            func stage(_ id: String, _ target: String) async throws {
                _ = try await client.withTransaction(logger: logger) { connection in
                    try await staging.stage(OperationRequest(id: id, target: target), id: id, on: connection, logger: logger)
                }
            }
            func refusal(_ id: String, _ target: String) async -> SextonError? {
                do {
                    try await stage(id, target)
                    return nil
                } catch {
                    return PostgresOperationStore.sextonError(error)
                }
            }
            try await stage("a1", "a")
            try await stage("a2", "a")
            let perTarget = await refusal("a3", "a")
            #expect(perTarget?.code == .stagingFull)
            #expect(perTarget?.message.contains("max_ops_per_target (2)") == true)
            try await stage("b1", "b")
            let storeWide = await refusal("c1", "c")
            #expect(storeWide?.code == .stagingFull)
            #expect(storeWide?.message.contains("max_staging_size (3)") == true)
            let rows = try await client.query(
                PostgresQuery(unsafeSQL: "SELECT string_agg(id, ',' ORDER BY id) FROM sexton.operations"), logger: logger
            ).decode(String.self).reduce(into: [String]()) { $0.append($1) }
            #expect(rows == ["a1,a2,b1"])
            // The refused first submission for c opened no window.
            let windows = try await client.query(
                PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM sexton.targets WHERE name = 'c'"), logger: logger
            ).decode(Int.self).reduce(into: [Int]()) { $0.append($1) }
            #expect(windows == [0])
        }
    }
}

/// The shared store's history is bounded like the memory store's: ended operations leave after
/// `history_retention`, the oldest first beyond `max_history`; zombies stay; an ended id may be
/// used again.
@Suite struct SharedHistoryTests {
    let logger = Logger(label: "shared-history")

    @Test func endedOperationsLeaveByRetentionAndCapWhileZombiesStay() async throws {
        let logger = logger
        try await PostgresCluster.with { cluster in try await cluster.withClient { client in
            let schema = try #require(StoreSchema("sexton"))
            try await SchemaMigrator.migrate(client, schema: schema, logger: logger)
            func store(retention: Duration, maxHistory: Int) -> PostgresOperationStore {
                PostgresOperationStore(
                    client: client, staging: SharedStaging(schema: schema, settings: ResolutionSettings(
                        stagingWindow: .zero, gracePeriod: .zero, protectExecuting: false, leaseTimeout: .zero,
                        historyRetention: retention, maxHistory: maxHistory)),
                    deadline: .seconds(10), clock: SystemClock(), logger: logger)
            }
            let keeping = store(retention: .seconds(3600), maxHistory: 2)
            // Four operations run to the end on their own targets; the second fails (a zombie).
            for (index, succeeded) in [true, false, true, true].enumerated() {
                let id = "op-\(index)"
                _ = try await client.withTransaction(logger: logger) { connection in
                    try await keeping.staging.stage(OperationRequest(id: id, target: "t-\(index)"), id: id, on: connection, logger: logger)
                }
                _ = try await keeping.staging.resolve(target: "t-\(index)", on: client, logger: logger)
                try await keeping.lifecycle.apply(.start, to: id, on: client, logger: logger)
                try await keeping.lifecycle.apply(.complete(succeeded: succeeded, error: nil), to: id, on: client, logger: logger)
            }
            func ids() async throws -> [String] {
                try await client.query(PostgresQuery(unsafeSQL: "SELECT id FROM sexton.operations ORDER BY id"), logger: logger)
                    .decode(String.self).reduce(into: [String]()) { $0.append($1) }
            }
            // max_history 2: of the three ended non-zombies the oldest goes; the zombie stays.
            #expect(try await keeping.trimHistory(limit: 100) == (0, 1))
            #expect(try await ids() == ["op-1", "op-2", "op-3"])
            // A retention of 0 forgets every ended operation but the zombie.
            #expect(try await store(retention: .zero, maxHistory: 100).trimHistory(limit: 100) == (2, 0))
            #expect(try await ids() == ["op-1"])
            // An ended id is free again; a zombie's is not.
            _ = try await client.withTransaction(logger: logger) { connection in
                try await keeping.staging.stage(OperationRequest(id: "op-0", target: "t-9"), id: "op-0", on: connection, logger: logger)
            }
            await #expect(throws: (any Error).self) {
                _ = try await client.withTransaction(logger: logger) { connection in
                    try await keeping.staging.stage(OperationRequest(id: "op-1", target: "t-9"), id: "op-1", on: connection, logger: logger)
                }
            }
        } }
    }

    @Test func targetsBeyondMaxTargetsAreForgottenLeastRecentlyStagedFirstWhenNothingHoldsThem() async throws {
        let logger = logger
        try await PostgresCluster.with { cluster in try await cluster.withClient { client in
            let schema = try #require(StoreSchema("sexton"))
            try await SchemaMigrator.migrate(client, schema: schema, logger: logger)
            let store = PostgresOperationStore(
                client: client, staging: SharedStaging(schema: schema, settings: ResolutionSettings(
                    stagingWindow: .zero, gracePeriod: .zero, protectExecuting: false, leaseTimeout: .zero,
                    historyRetention: .zero, maxTargets: 3)),
                deadline: .seconds(10), clock: SystemClock(), logger: logger)
            // t0–t3 succeed, t4 fails (a zombie), t5 stays admitted.
            for index in 0..<6 {
                let id = "op-\(index)"
                _ = try await client.withTransaction(logger: logger) { connection in
                    try await store.staging.stage(OperationRequest(id: id, target: "t\(index)"), id: id, on: connection, logger: logger)
                }
                _ = try await store.staging.resolve(target: "t\(index)", on: client, logger: logger)
                guard index < 5 else { continue }
                try await store.lifecycle.apply(.start, to: id, on: client, logger: logger)
                try await store.lifecycle.apply(.complete(succeeded: index < 4, error: nil), to: id, on: client, logger: logger)
            }
            func targets() async throws -> [String] {
                try await client.query(PostgresQuery(unsafeSQL: "SELECT name FROM sexton.targets ORDER BY name"), logger: logger)
                    .decode(String.self).reduce(into: [String]()) { $0.append($1) }
            }
            // History still holds every ended operation: nothing may go yet.
            #expect(try await store.trimTargets(limit: 100) == 0)
            _ = try await store.trimHistory(limit: 100)
            // With the planner's estimate known (6 rows, past half the cap) they are counted exactly.
            try await client.query("ANALYZE sexton.targets", logger: logger)
            #expect(try await store.trimTargets(limit: 100) == 3)
            #expect(try await targets() == ["t3", "t4", "t5"])
            // A forgotten target starts again at version 0; t3 kept its 1.
            let versions = try await client.query(PostgresQuery(unsafeSQL: "SELECT version FROM sexton.targets WHERE name = 't3'"), logger: logger)
                .decode(Int.self).reduce(into: [Int]()) { $0.append($1) }
            #expect(versions == [1])
            _ = try await client.withTransaction(logger: logger) { connection in
                try await store.staging.stage(OperationRequest(id: "again", target: "t0"), id: "again", on: connection, logger: logger)
            }
            guard case .resolved(let batch) = try await store.staging.resolve(target: "t0", on: client, logger: logger) else {
                Issue.record("t0 did not resolve")
                return
            }
            #expect(batch.decisions.map(\.targetVersion) == [0])
        } }
    }
}
