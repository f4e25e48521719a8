/// CONTRACT §3.1–3.2 for one zombie: its policy (global > `policies[op_type]` > the operation's
/// own override) and its effective strategy now. The memory engine and the shared store's
/// cleanup both plan with it, so the rules live once.
public struct CleanupPlanner: Sendable {
    public let config: CleanupConfig
    public let policies: [String: CleanupOverride]
    private let defaultPolicy: ZombiePolicy
    private let policyByOpType: [String: ZombiePolicy]

    public init(config: CleanupConfig, policies: [String: CleanupOverride]) {
        self.config = config
        self.policies = policies
        defaultPolicy = ZombiePolicy(config, opType: "")
        policyByOpType = policies.reduce(into: [:]) { result, entry in
            result[entry.key] = ZombiePolicy(config.applying(entry.value), opType: entry.key)
        }
    }

    func policy(for zombie: Zombie) -> ZombiePolicy {
        if let override = zombie.cleanup {
            return ZombiePolicy(config.applying(policies[zombie.opType]).applying(override), opType: zombie.opType)
        }
        if let policy = policyByOpType[zombie.opType] { return policy }
        var policy = defaultPolicy
        policy.resourceHeavy = config.resourceHeavyOperations.contains(zombie.opType)
        policy.debugImportant = config.debugImportantOperations.contains(zombie.opType)
        return policy
    }

    func adaptive(memoryPressure: Double?, zombieCount: Int) -> AdaptiveInputs {
        AdaptiveInputs(
            aggressiveOnMemoryPressure: config.aggressiveOnMemoryPressure,
            memoryPressureThreshold: config.memoryPressureThreshold,
            forceCleanupThreshold: config.forceCleanupThreshold,
            memoryPressure: memoryPressure, zombieCount: zombieCount)
    }

    /// The zombie's plan, given the last memory pressure sample and the zombies held with it
    /// (itself included). The per-target cap is the caller's: it needs the target's zombies.
    public func plan(_ zombie: Zombie, memoryPressure: Double?, zombieCount: Int) -> ZombiePlan {
        let policy = policy(for: zombie)
        let plan = CleanupPlan(zombie, policy: policy, adaptive: adaptive(memoryPressure: memoryPressure, zombieCount: zombieCount))
        let removableAfter: Duration? = switch plan {
        case .immediate, .custom: .zero
        case .deferred: policy.retention
        case .lazy: policy.maxZombieAge
        case .none: nil
        }
        let trigger: AdaptiveTrigger? = if case .immediate(let trigger) = plan { trigger } else { nil }
        return ZombiePlan(
            strategy: plan.label, trigger: trigger, removableAfter: removableAfter, handler: policy.handler, retry: policy.retry)
    }

    /// Whether a pass must now take zombies oldest first regardless of their strategy: all of
    /// them under memory pressure, the excess over `force_cleanup_threshold` otherwise.
    public func adaptiveExcess(memoryPressure: Double?, zombieCount: Int) -> (trigger: AdaptiveTrigger, excess: Int)? {
        let inputs = adaptive(memoryPressure: memoryPressure, zombieCount: zombieCount)
        if inputs.memoryPressureHigh { return (.memoryPressure, zombieCount) }
        if inputs.overForceThreshold { return (.forceThreshold, zombieCount - config.forceCleanupThreshold) }
        return nil
    }
}

/// How one zombie will be cleaned.
public struct ZombiePlan: Sendable, Equatable {
    /// The effective strategy, hybrid resolved.
    public var strategy: StrategyLabel
    /// The adaptive rule that made it immediate, if one did.
    public var trigger: AdaptiveTrigger?
    /// How long after it ended it becomes removable; nil for `none` (only a purge removes it).
    public var removableAfter: Duration?
    /// The handler that runs before it is removed.
    public var handler: String?
    public var retry: RetryPolicy
}
