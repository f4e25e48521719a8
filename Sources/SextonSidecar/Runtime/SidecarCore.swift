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
    public let metrics: SextonMetrics
    public let clock: any SextonClock
    private let maintenance: MaintenanceLoop
    private let evaluator: HealthEvaluator
    private let phaseValue = Atomic(Phase.starting.rawValue)

    /// `observer` also hears the coordinator's events, beside the metrics (simulate's tally).
    init(
        configuration: SextonConfiguration, logger: Logger, clock: any SextonClock = SystemClock(),
        observer: (any CoordinatorObserver)? = nil
    ) {
        self.configuration = configuration
        self.clock = clock
        let metrics = SextonMetrics(maxTargetTypes: configuration.coordinator.maxTargetTypes, clock: clock)
        self.metrics = metrics
        engine = CleanupEngine(
            config: configuration.cleanup, policies: configuration.policies, clock: clock,
            handlers: configuration.handlers.mapValues { $0.makeHandler() },
            memory: MemoryPressureProbe(configuration.memory), observer: CleanupLog(metrics: metrics, logger: logger))
        coordinator = Coordinator(
            config: configuration.coordinator, clock: clock, scheduler: TaskScheduler(clock: clock), zombies: engine,
            observer: observer.map { CoordinatorObservers(all: [metrics, $0]) as any CoordinatorObserver } ?? metrics)
        engine.attach(remover: coordinator)
        maintenance = MaintenanceLoop(coordinator: coordinator, clock: clock)
        evaluator = HealthEvaluator(thresholds: configuration.health)
    }

    public var phase: Phase {
        get { Phase(rawValue: phaseValue.load(ordering: .acquiring)) ?? .starting }
    }

    func set(_ phase: Phase) { phaseValue.store(phase.rawValue, ordering: .releasing) }

    /// Starts the cleanup worker and the maintenance thread.
    public func startWork() {
        engine.start()
        maintenance.start()
    }

    public func stopWork() {
        maintenance.stop()
        engine.stop()
    }

    public func snapshot() -> SidecarSnapshot {
        let now = clock.now()
        let c = coordinator.snapshot()
        let e = engine.snapshot()
        var readings = GaugeReadings()
        readings.staged = c.staged
        readings.active = c.active
        readings.registryEntities = c.registryEntities
        readings.zombiesByTargetType = e.zombiesByTargetType
        readings.oldestZombieAge = e.oldestZombieAge
        readings.cleanupBacklog = e.backlog
        readings.lastCleanupRun = e.lastPass?.finishedAt
        readings.workerUp = e.worker.running
        readings.memoryPressure = e.memoryPressure
        let inputs = HealthInputs(
            zombieCount: e.zombieCount, oldestZombieAge: e.oldestZombieAge, workerRunning: e.worker.running,
            workerLastActivity: e.worker.lastActivity, checkInterval: configuration.cleanup.checkInterval,
            lastCleanupFailure: e.lastFailureAt, exhaustedHandlers: e.failedHandlers, memoryPressure: e.memoryPressure,
            staged: c.staged, maxStagingSize: configuration.coordinator.maxStagingSize,
            resolutionLatencyP99: metrics.recentLatency.quantile(0.99, at: now))
        let health = evaluator.evaluate(inputs, now: now)
        readings.health = health
        return SidecarSnapshot(
            phase: phase, workersAlive: maintenance.isAlive && e.worker.running, readings: readings, health: health,
            failedHandlers: e.failedHandlers)
    }
}
