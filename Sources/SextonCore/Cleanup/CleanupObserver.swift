/// Receives what the engine does, for metrics and logs. Called outside the engine's locks, on
/// whichever thread did the work; every method has a no-op default.
public protocol CleanupObserver: Sendable {
    /// One removed zombie: `latency` is the time its handler and the registry removal took.
    func zombieCleaned(_ zombie: Zombie, strategy: StrategyLabel, latency: Duration, ageAtCleanup: Duration)
    /// A handler threw; the zombie stays and is retried. `exhausted` when this failure used up
    /// the zombie's retries and the handler is now marked failed.
    func cleanupFailed(_ zombie: Zombie, strategy: StrategyLabel, handler: String, error: any Error, exhausted: Bool)
    /// A zombie's effective strategy became immediate because of `trigger`.
    func cleanupTriggered(_ trigger: AdaptiveTrigger)
    /// A removal that dry-run mode held back: it is logged instead.
    func dryRunCandidate(_ zombie: Zombie, strategy: StrategyLabel)
    func passFinished(_ result: CleanupPassResult)
}

extension CleanupObserver {
    public func zombieCleaned(_ zombie: Zombie, strategy: StrategyLabel, latency: Duration, ageAtCleanup: Duration) {}
    public func cleanupFailed(_ zombie: Zombie, strategy: StrategyLabel, handler: String, error: any Error, exhausted: Bool) {}
    public func cleanupTriggered(_ trigger: AdaptiveTrigger) {}
    public func dryRunCandidate(_ zombie: Zombie, strategy: StrategyLabel) {}
    public func passFinished(_ result: CleanupPassResult) {}
}

public struct NoCleanupObserver: CleanupObserver {
    public init() {}
}
