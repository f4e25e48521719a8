/// What the sidecar asks of whatever removes its zombies: the in-process `CleanupEngine`, or a
/// shared store's cleanup, whose zombies every replica shares (CONTRACT §10).
public protocol ZombieCleanup: Sendable {
    /// One pass (CONTRACT §3.3); a manual one waits for the handlers of what it removes.
    func runPass(trigger: PassTrigger, dryRun: Bool, all: Bool) async -> CleanupPassResult
    func snapshot() -> CleanupSnapshot
    /// The background work, until the calling task is cancelled.
    func run() async
    /// Marks the worker started now, for a caller about to `run()` it, so health sees no gap
    /// between the listeners opening and the worker's first step.
    func markStarted()
}

extension CleanupEngine: ZombieCleanup {}
