import Logging
import SextonCore
import SextonTelemetry
import Synchronization

/// The core wired to telemetry and the timed work, without any listener: what `serve` puts
/// behind HTTP and what `simulate` drives in-process.
public final class SidecarCore: Sendable {
    public let configuration: SextonConfiguration
    public let coordinator: Coordinator
    public let engine: CleanupEngine
    /// What removes zombies: the engine, or with a shared store the store's cleanup.
    public let cleanup: any ZombieCleanup
    /// What the API works on (CONTRACT §10).
    public let store: any OperationStore
    public let metrics: SextonMetrics
    public let clock: any SextonClock
    /// The core's loops, in the order they start; they stop in the reverse order.
    let loops: [BackgroundWork]
    /// The shared store, when `store.backend` is postgres.
    let shared: SharedStore?
    private let evaluator: HealthEvaluator
    private let signals: HealthSignals
    private let phaseValue = Atomic(Phase.starting.rawValue)

    /// `observer` also hears the coordinator's events, beside the metrics (simulate's tally).
    /// `scheduler` resolves the staging windows instead of the core's own timers (a test's
    /// manual scheduler, moved with its clock).
    init(
        configuration: SextonConfiguration, logger: Logger, clock: any SextonClock = SystemClock(),
        scheduler: (any StagingScheduler)? = nil, observer: (any CoordinatorObserver)? = nil
    ) {
        self.configuration = configuration
        self.clock = clock
        let metrics = SextonMetrics(
            maxTargetTypes: configuration.maxTargetTypes,
            store: (configuration.store.backend.rawValue, configuration.store.replicaName))
        self.metrics = metrics
        let handlers = configuration.handlers.mapValues { $0.makeHandler() }
        let cleanupLog = CleanupLog(metrics: metrics, logger: logger)
        engine = CleanupEngine(
            config: configuration.cleanup, policies: configuration.policies, clock: clock, handlers: handlers,
            memory: MemoryPressureProbe(configuration.memory), observer: cleanupLog)
        let signals = HealthSignals(clock: clock)
        self.signals = signals
        let events = CoordinatorObservers([metrics, signals] + (observer.map { [$0] } ?? []))
        let timers = StagingTimers(clock: clock)
        let coordinator = Coordinator(
            config: configuration.coordinator, clock: clock, scheduler: scheduler ?? timers, zombies: engine, observer: events)
        self.coordinator = coordinator
        engine.attach(remover: coordinator)
        let engine = self.engine
        switch configuration.store.backend {
        case .memory:
            shared = nil
            store = MemoryOperationStore(coordinator: coordinator, engine: engine)
            cleanup = engine
        case .postgres:
            let shared = SharedStore(
                configuration: configuration, clock: clock, observer: StoreObservers([metrics, signals]), events: events,
                cleanupObserver: cleanupLog, handlers: handlers, logger: logger)
            self.shared = shared
            store = shared.store
            cleanup = shared.cleanup
        }
        // The store's pool first, so it is the last to stop.
        loops = shared?.loops ?? (scheduler == nil ? [BackgroundWork("staging-timers") { await timers.run() }] : []) + [
            BackgroundWork("maintenance") { await coordinator.runMaintenance() },
            BackgroundWork("cleanup") { await engine.run() },
        ]
        evaluator = HealthEvaluator(thresholds: configuration.health)
    }

    public var phase: Phase {
        get { Phase(rawValue: phaseValue.load(ordering: .acquiring)) ?? .starting }
    }

    func set(_ phase: Phase) { phaseValue.store(phase.rawValue, ordering: .releasing) }

    /// The loops' timed work, done now in the caller, for `simulate`, which moves its own clock
    /// (it resolves batches at once, so it has no staging window to time).
    func stepTimedWork() async {
        while coordinator.maintain(budget: Self.maintenanceBudget) == Self.maintenanceBudget {}
        _ = await engine.step()
    }

    static let maintenanceBudget = 4096

    public func snapshot() -> SidecarSnapshot {
        let now = clock.now()
        let c = coordinator.snapshot()
        let e = cleanup.snapshot()
        var readings = GaugeReadings()
        readings.staged = c.staged
        readings.active = c.active
        readings.registryEntities = c.registryEntities
        readings.zombiesByTargetType = e.zombiesByTargetType
        readings.oldestZombieAge = e.oldestZombieAge
        readings.cleanupBacklog = e.backlog
        readings.lastCleanupRun = e.lastPass.map { clock.wallClock.time(of: $0.finishedAt) }
        readings.workerUp = e.worker.running
        readings.memoryPressure = e.memoryPressure
        var zombieCount = e.zombieCount
        var staged = c.staged
        // Shared state is the store's, the same on every replica (CONTRACT §10).
        if let counts = shared?.counts {
            readings.staged = counts.staged
            readings.active = counts.active
            readings.registryEntities = counts.registryEntities
            // Target types this replica shows already stay, at 0 when the store has none.
            readings.zombiesByTargetType = counts.zombiesByTargetType.merging(e.zombiesByTargetType.mapValues { _ in 0 }) { store, _ in store }
            readings.oldestZombieAge = counts.oldestZombieAge
            readings.cleanupBacklog = counts.cleanupBacklog
            zombieCount = counts.zombieCount
            staged = counts.staged
        }
        let inputs = HealthInputs(
            zombieCount: zombieCount, oldestZombieAge: readings.oldestZombieAge, workerRunning: e.worker.running,
            workerLastActivity: e.worker.lastActivity, checkInterval: configuration.cleanup.checkInterval,
            lastCleanupFailure: e.lastFailureAt, exhaustedHandlers: e.failedHandlers, memoryPressure: e.memoryPressure,
            staged: staged, maxStagingSize: configuration.coordinator.maxStagingSize,
            resolutionLatencyP99: signals.resolutionLatency.quantile(0.99, at: now),
            store: StoreHealth(
                unreachable: shared?.unavailable, disagreement: shared?.disagreement, roundTripP99: shared.flatMap { _ in signals.storeLatency.quantile(0.99, at: now) }))
        readings.storeUp = shared?.unavailable == nil
        let health = evaluator.evaluate(inputs, now: now)
        readings.health = health
        return SidecarSnapshot(
            phase: phase, workersAlive: phase == .shuttingDown || loops.allSatisfy(\.isAlive), readings: readings, health: health,
            failedHandlers: e.failedHandlers)
    }
}
