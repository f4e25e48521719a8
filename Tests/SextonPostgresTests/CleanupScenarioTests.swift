import Logging
import PostgresNIO
import SextonCore
import SextonPostgres
import Synchronization
import Testing

/// A handler that records what it was given, and fails when told to.
final class RecordingHandler: CleanupHandler {
    let retention: Duration
    let fails: Bool
    private let seen = Mutex<[(String, StrategyLabel)]>([])

    init(retention: Duration = .zero, fails: Bool = false) {
        self.retention = retention
        self.fails = fails
    }

    var calls: [(String, StrategyLabel)] { seen.withLock { $0 } }

    func handle(_ record: CleanupRecord) async throws {
        seen.withLock { $0.append((record.zombie.operationID, record.strategy)) }
        if fails { throw HandlerRefused() }
    }

    struct HandlerRefused: Error {}
}

/// One CONTRACT §3 scenario: zombies made under a cleanup configuration, then steps, each
/// checked. Both stores run their background cleanup meanwhile, so a step checks what holds
/// whenever the background work ran: a listing is awaited, a pass is one nothing else races.
struct CleanupScenario: Sendable, CustomTestStringConvertible {
    struct Made: Sendable {
        var id: String
        var target = "t"
        var priority: Priority = .normal
        var retryCount = 0
        var cleanup: CleanupOverride?
    }

    enum Step: Sendable {
        /// The zombies listed, oldest first, as (id, strategy, failed attempts), within a few seconds.
        case listed([(String, StrategyLabel, Int)])
        case pass(dryRun: Bool = false, all: Bool = false, candidates: Int, cleaned: Int, byStrategy: [StrategyLabel: Int] = [:])
        case wait(Duration)
    }

    var name: String
    var config: CleanupConfig
    var handler: RecordingHandler.Kind?
    var zombies: [Made]
    var steps: [Step]
    /// The handler's calls at the end, as (id, strategy).
    var handled: [(String, StrategyLabel)] = []

    var testDescription: String { name }

    static func config(_ strategy: CleanupStrategy, _ change: (inout CleanupConfig) -> Void = { _ in }) -> CleanupConfig {
        var config = CleanupConfig()
        config.strategy = strategy
        config.retention = .seconds(3600)
        config.maxZombieAge = .seconds(3600)
        config.immediatePriorities = []
        change(&config)
        return config
    }

    static let all: [CleanupScenario] = [
        CleanupScenario(
            name: "immediate: removed at once", config: config(.immediate), zombies: [Made(id: "z")],
            steps: [.listed([])]),
        CleanupScenario(
            name: "deferred: kept for its retention, then removed",
            config: config(.deferred) { $0.retention = .milliseconds(600) }, zombies: [Made(id: "z")],
            steps: [.listed([("z", .deferred, 0)]), .pass(candidates: 0, cleaned: 0), .wait(.milliseconds(700)), .listed([])]),
        CleanupScenario(
            name: "lazy: a read past max_zombie_age removes it", config: config(.lazy) { $0.maxZombieAge = .milliseconds(300) },
            zombies: [Made(id: "z")],
            steps: [.pass(candidates: 0, cleaned: 0), .wait(.milliseconds(400)), .listed([])]),
        CleanupScenario(
            name: "none: only a purge removes it", config: config(.none), zombies: [Made(id: "a"), Made(id: "b", target: "u")],
            steps: [
                .pass(candidates: 0, cleaned: 0), .listed([("a", .none, 0), ("b", .none, 0)]),
                .pass(dryRun: true, all: true, candidates: 2, cleaned: 0, byStrategy: [.manual: 2]),
                .pass(all: true, candidates: 2, cleaned: 2, byStrategy: [.manual: 2]), .listed([]),
            ]),
        CleanupScenario(
            name: "hybrid: critical is immediate, a retry deferred, the rest lazy",
            config: config(.hybrid) { $0.immediatePriorities = [Priority.critical.value] },
            zombies: [Made(id: "c", priority: .critical), Made(id: "r", target: "u", retryCount: 1), Made(id: "n", target: "v")],
            steps: [.listed([("r", .deferred, 0), ("n", .lazy, 0)])]),
        CleanupScenario(
            name: "an operation's own cleanup override wins",
            config: config(.none), zombies: [Made(id: "o", cleanup: { var o = CleanupOverride(); o.strategy = .immediate; return o }())],
            steps: [.listed([])]),
        CleanupScenario(
            name: "custom: the handler runs once, then the zombie goes",
            config: config(.custom) { $0.customHandler = "h" }, handler: .succeeds, zombies: [Made(id: "z")],
            steps: [.listed([])], handled: [("z", .custom)]),
        CleanupScenario(
            name: "a failing handler keeps the zombie for its retry; a purge removes it without the handler",
            config: config(.immediate) {
                $0.customHandler = "h"
                $0.retry.initialDelay = .seconds(3600)
            },
            handler: .fails, zombies: [Made(id: "z")],
            steps: [
                .listed([("z", .immediate, 1)]), .pass(candidates: 0, cleaned: 0),
                .pass(all: true, candidates: 1, cleaned: 1, byStrategy: [.manual: 1]), .listed([]),
            ],
            handled: [("z", .immediate)]),
        CleanupScenario(
            name: "dry run: nothing removed, the due reported",
            config: config(.immediate) { $0.dryRun = true }, zombies: [Made(id: "z")],
            steps: [
                .pass(candidates: 1, cleaned: 0, byStrategy: [.immediate: 1]), .listed([("z", .immediate, 0)]),
            ]),
        CleanupScenario(
            name: "max_zombies_per_target: the oldest go at once",
            config: config(.none) { $0.maxZombiesPerTarget = 1 }, zombies: [Made(id: "old"), Made(id: "new")],
            steps: [.listed([("new", .none, 0)])]),
    ]
}

extension RecordingHandler {
    enum Kind: Sendable {
        case succeeds, fails
    }
}

/// A store and its cleanup, as the sidecar wires them, with the background cleanup running.
struct CleanupBench: Sendable {
    let store: any OperationStore
    let cleanup: any ZombieCleanup

    func make(_ made: CleanupScenario.Made) async throws {
        let request = OperationRequest(
            id: made.id, target: made.target, priority: made.priority, retryCount: made.retryCount, cleanup: made.cleanup)
        let decision = try await call { done in store.submitBatch([request]) { done($0[0]) } }
        #expect(decision.isAdmitted)
        _ = try await call { store.apply(.start, to: made.id, $0) }
        _ = try await call { store.apply(.complete(succeeded: false, error: "boom"), to: made.id, $0) }
    }

    func listed() async throws -> [(String, StrategyLabel, Int)] {
        try await call { store.zombies(ZombieQuery(limit: 100), $0) }.map { ($0.zombie.operationID, $0.strategy, $0.failedAttempts) }
    }

    func call<T: Sendable>(_ body: (@escaping @Sendable (Result<T, SextonError>) -> Void) -> Void) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in body { continuation.resume(with: $0) } }
    }

    /// Runs the scenario's steps on this bench.
    func play(_ scenario: CleanupScenario) async throws {
        for made in scenario.zombies { try await make(made) }
        for step in scenario.steps {
            switch step {
            case .wait(let duration):
                try await Task.sleep(for: duration)
            case .listed(let expected):
                var seen = try await listed()
                for _ in 0..<100 where !same(seen, expected) {
                    try await Task.sleep(for: .milliseconds(50))
                    seen = try await listed()
                }
                #expect(same(seen, expected), "listed \(seen), expected \(expected)")
            case .pass(let dryRun, let all, let candidates, let cleaned, let byStrategy):
                let result = await cleanup.runPass(trigger: .manual, dryRun: dryRun, all: all)
                #expect(result.candidates == candidates)
                #expect(result.cleaned == cleaned)
                #expect(result.byStrategy.filter { $0.value > 0 } == byStrategy)
            }
        }
    }

    private func same(_ a: [(String, StrategyLabel, Int)], _ b: [(String, StrategyLabel, Int)]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 && $0.2 == $1.2 }
    }
}

@Suite struct CleanupScenarioTests {
    let logger = Logger(label: "cleanup-scenarios")

    static func handlers(_ scenario: CleanupScenario) -> (RecordingHandler?, [String: any CleanupHandler]) {
        guard let kind = scenario.handler else { return (nil, [:]) }
        let handler = RecordingHandler(fails: kind == .fails)
        return (handler, ["h": handler])
    }

    static func coordinatorConfig() -> CoordinatorConfig {
        var config = CoordinatorConfig()
        config.stagingWindow = .zero
        config.leaseTimeout = .zero
        return config
    }

    static func checkHandled(_ handler: RecordingHandler?, _ scenario: CleanupScenario) {
        let calls = handler?.calls ?? []
        #expect(calls.map(\.0) == scenario.handled.map(\.0))
        #expect(calls.map(\.1) == scenario.handled.map(\.1))
    }

    @Test(arguments: CleanupScenario.all)
    func theMemoryStoreCleansAsTheTableSays(_ scenario: CleanupScenario) async throws {
        let clock = SystemClock()
        let (handler, handlers) = Self.handlers(scenario)
        let engine = CleanupEngine(config: scenario.config, clock: clock, handlers: handlers)
        let coordinator = Coordinator(
            config: Self.coordinatorConfig(), clock: clock, scheduler: StagingTimers(clock: clock), zombies: engine)
        engine.attach(remover: coordinator)
        let bench = CleanupBench(store: MemoryOperationStore(coordinator: coordinator, engine: engine), cleanup: engine)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await engine.run() }
            defer { group.cancelAll() }
            try await bench.play(scenario)
        }
        Self.checkHandled(handler, scenario)
    }

    @Test func theSharedStoreCleansAsTheTableSays() async throws {
        let logger = logger
        try await PostgresCluster.with { cluster in try await cluster.withClient { client in
            for (number, scenario) in CleanupScenario.all.enumerated() {
                let schema = try #require(StoreSchema("cleanup_\(number)"))
                try await SchemaMigrator.migrate(client, schema: schema, logger: logger)
                let (handler, handlers) = Self.handlers(scenario)
                let bench = Self.sharedBench(client, schema: schema, scenario.config, handlers: handlers, replica: "a", logger: logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await bench.cleanup.run() }
                    defer { group.cancelAll() }
                    try await bench.play(scenario)
                }
                Self.checkHandled(handler, scenario)
            }
        } }
    }

    static func sharedBench(
        _ client: PostgresClient, schema: StoreSchema, _ config: CleanupConfig, handlers: [String: any CleanupHandler],
        replica: String, claimTimeout: Duration = .seconds(60), logger: Logger
    ) -> CleanupBench {
        let clock = SystemClock()
        let planning = ZombiePlanning(CleanupPlanner(config: config, policies: [:]))
        let cleanup = SharedCleanup(
            client: client, schema: schema, replica: replica, planning: planning, handlers: handlers, memory: NoMemoryPressure(),
            observer: NoCleanupObserver(), clock: clock, claimTimeout: claimTimeout, deadline: .seconds(10), logger: logger)
        let c = coordinatorConfig()
        let staging = SharedStaging(schema: schema, settings: ResolutionSettings(
            stagingWindow: c.stagingWindow, gracePeriod: c.gracePeriod, protectExecuting: c.protectExecuting,
            leaseTimeout: c.leaseTimeout), zombies: planning)
        let store = PostgresOperationStore(
            client: client, staging: staging, deadline: .seconds(10), clock: clock, cleanup: cleanup, logger: logger)
        return CleanupBench(store: store, cleanup: cleanup)
    }
}
