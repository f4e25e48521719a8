/// The engine's figures for health, metrics and `/admin/cleanup/status`; each costs O(1) or
/// O(target types) to gather.
public struct CleanupSnapshot: Sendable, Equatable {
    public var zombieCount: Int
    public var zombiesByTargetType: [String: Int]
    /// When the oldest zombie held became one (it ended), and its age now.
    public var oldestZombieEndedAt: Timestamp?
    public var oldestZombieAge: Duration?
    /// Zombies that are due but still here: those waiting for a handler worker or a handler
    /// retry, those the last
    /// pass held back in a dry run, and the expired lazy zombies the last sampling pass
    /// estimates it did not reach (the Redis-style sample's own estimate).
    public var backlog: Int
    /// Cumulative; `zombiesCreated == zombieCount + zombiesCleaned` always holds.
    public var zombiesCreated: Int
    public var zombiesCleaned: Int
    /// How often each adaptive trigger made a zombie's cleanup immediate.
    public var triggers: [AdaptiveTrigger: Int]
    /// Handlers that exhausted their retries and have not succeeded since (health: fail).
    public var failedHandlers: [String]
    /// The last handler failure (health: warn within five minutes).
    public var lastFailureAt: Timestamp?
    public var worker: CleanupWorkerState
    public var memoryPressure: Double?
    public var dryRun: Bool
    public var config: CleanupConfig
    public var policies: [String: CleanupOverride]
    public var lastPass: CleanupPassResult?

    public init(
        zombieCount: Int, zombiesByTargetType: [String: Int], oldestZombieEndedAt: Timestamp?, oldestZombieAge: Duration?,
        backlog: Int, zombiesCreated: Int, zombiesCleaned: Int, triggers: [AdaptiveTrigger: Int], failedHandlers: [String],
        lastFailureAt: Timestamp?, worker: CleanupWorkerState, memoryPressure: Double?, dryRun: Bool, config: CleanupConfig,
        policies: [String: CleanupOverride], lastPass: CleanupPassResult?
    ) {
        self.zombieCount = zombieCount
        self.zombiesByTargetType = zombiesByTargetType
        self.oldestZombieEndedAt = oldestZombieEndedAt
        self.oldestZombieAge = oldestZombieAge
        self.backlog = backlog
        self.zombiesCreated = zombiesCreated
        self.zombiesCleaned = zombiesCleaned
        self.triggers = triggers
        self.failedHandlers = failedHandlers
        self.lastFailureAt = lastFailureAt
        self.worker = worker
        self.memoryPressure = memoryPressure
        self.dryRun = dryRun
        self.config = config
        self.policies = policies
        self.lastPass = lastPass
    }
}

extension CleanupEngine {
    public func snapshot() -> CleanupSnapshot {
        let now = clock.now()
        let worker = workerState
        let queued = handlerQueue.count
        return state.withLock { s in
            let oldest = s.store.all.head >= 0 ? s.store.record(s.store.all.head).zombie.endedAt : nil
            return CleanupSnapshot(
                zombieCount: s.zombieCount,
                zombiesByTargetType: s.store.byType.counts,
                oldestZombieEndedAt: oldest,
                oldestZombieAge: oldest.map { max(now - $0, .zero) },
                backlog: queued + s.store.retrying + s.dryRunHeld + s.lazyStaleEstimate,
                zombiesCreated: s.created,
                zombiesCleaned: s.cleaned,
                triggers: s.triggers,
                failedHandlers: s.failedHandlers.sorted(),
                lastFailureAt: s.lastFailureAt,
                worker: worker,
                memoryPressure: s.memoryPressure,
                dryRun: config.dryRun,
                config: config,
                policies: policies,
                lastPass: s.lastPass)
        }
    }
}
