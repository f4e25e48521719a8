/// The `strategy` label of the cleanup metric families (CONTRACT §6): how a zombie was, or will
/// be, removed. `manual` is an operator's purge.
public enum StrategyLabel: String, CaseIterable, Sendable {
    case immediate, deferred, lazy, custom, manual, none

    /// Its position in `allCases`, for counting per label in an array.
    var ordinal: Int {
        switch self {
        case .immediate: 0
        case .deferred: 1
        case .lazy: 2
        case .custom: 3
        case .manual: 4
        case .none: 5
        }
    }
}

/// Why the effective strategy of a zombie became `immediate` (CONTRACT §3.2). Telemetry maps
/// `memoryPressure` to `sexton_memory_pressure_triggered_cleanups_total` and `forceThreshold`
/// and `targetCap` to `sexton_forced_cleanups_total`.
public enum AdaptiveTrigger: String, CaseIterable, Sendable {
    case immediatePriority = "immediate_priority"
    case memoryPressure = "memory_pressure"
    case forceThreshold = "force_threshold"
    case targetCap = "target_cap"
}

/// Who started a pass (`sexton_cleanup_runs_total{trigger}`).
public enum PassTrigger: String, CaseIterable, Sendable {
    case schedule, manual
}

/// Where the memory pressure ratio (0–1) comes from; the cgroup and meminfo readers are adapters
/// outside the core. nil means unknown, which never triggers aggressive cleanup.
public protocol MemoryPressureSource: Sendable {
    func sample() -> Double?
}

/// For embedders without a memory probe.
public struct NoMemoryPressure: MemoryPressureSource {
    public init() {}
    public func sample() -> Double? { nil }
}

/// A named handler (`handlers:` in the configuration, or registered by an embedding
/// application) that runs before a zombie is removed. The engine calls it from its own workers,
/// at most `handlerConcurrency` at a time and never on a path that decides or answers, so it may
/// take its time; it must not block a thread (do I/O asynchronously). A throw means the zombie
/// stays and the call is retried with backoff, so a handler must tolerate seeing a zombie again.
public protocol CleanupHandler: Sendable {
    /// How long a `custom` zombie is kept after this handler succeeded.
    var retention: Duration { get }
    func handle(_ record: CleanupRecord) async throws
}

extension CleanupHandler {
    public var retention: Duration { .zero }
}

/// What a handler is told about the zombie it handles, with the times users read on the wall clock.
public struct CleanupRecord: Sendable {
    public var zombie: Zombie
    /// The strategy removing it.
    public var strategy: StrategyLabel
    public var admittedAt: WallTime
    public var endedAt: WallTime
    public var cleanedAt: WallTime

    public init(zombie: Zombie, strategy: StrategyLabel, admittedAt: WallTime, endedAt: WallTime, cleanedAt: WallTime) {
        self.zombie = zombie
        self.strategy = strategy
        self.admittedAt = admittedAt
        self.endedAt = endedAt
        self.cleanedAt = cleanedAt
    }
}

/// The handler a zombie's configuration names is not registered.
public struct CleanupHandlerNotFound: Error, Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public init(name: String) { self.name = name }
    public var description: String { "no cleanup handler named \"\(name)\" is registered" }
}

/// One zombie as the listing queries return it.
public struct TrackedZombie: Sendable, Equatable {
    public var zombie: Zombie
    /// The strategy it is held under now.
    public var strategy: StrategyLabel
    /// When it becomes removable: the retention, handler retry or lazy expiry; nil for `none`.
    public var cleanupAt: Timestamp?
    /// Consecutive handler failures so far.
    public var failedAttempts: Int

    public init(zombie: Zombie, strategy: StrategyLabel, cleanupAt: Timestamp?, failedAttempts: Int) {
        self.zombie = zombie
        self.strategy = strategy
        self.cleanupAt = cleanupAt
        self.failedAttempts = failedAttempts
    }
}
