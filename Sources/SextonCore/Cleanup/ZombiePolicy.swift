/// The cleanup keys that decide one zombie's fate, resolved from global > `policies[op_type]` >
/// the operation's own override, with the set lookups that depend on the op type done once.
struct ZombiePolicy: Sendable {
    var strategy: CleanupStrategy
    var retention: Duration
    var maxZombieAge: Duration
    /// Bit `p` set when priority `p` is in `immediate_priorities`.
    var immediatePriorities: UInt16
    var resourceHeavy: Bool
    var debugImportant: Bool
    var debugMode: Bool
    var handler: String?
    var retry: RetryPolicy

    init(_ config: CleanupConfig, opType: String) {
        strategy = config.strategy
        retention = config.retention
        maxZombieAge = config.maxZombieAge
        immediatePriorities = config.immediatePriorities.reduce(0) { mask, p in
            Priority.range.contains(p) ? mask | (1 << UInt16(p)) : mask
        }
        resourceHeavy = config.resourceHeavyOperations.contains(opType)
        debugImportant = config.debugImportantOperations.contains(opType)
        debugMode = config.debugMode
        handler = config.customHandler.flatMap { $0.isEmpty ? nil : $0 }
        retry = config.retry
    }

    func isImmediate(_ priority: Priority) -> Bool { immediatePriorities & (1 << UInt16(priority.value)) != 0 }
}

/// The engine-wide facts the adaptive rule of CONTRACT §3.2 looks at.
struct AdaptiveInputs {
    var aggressiveOnMemoryPressure: Bool
    var memoryPressureThreshold: Double
    var forceCleanupThreshold: Int
    var memoryPressure: Double?
    /// Zombies held, the one being decided included.
    var zombieCount: Int

    var memoryPressureHigh: Bool {
        guard aggressiveOnMemoryPressure, let memoryPressure else { return false }
        return memoryPressure > memoryPressureThreshold
    }

    var overForceThreshold: Bool { zombieCount > forceCleanupThreshold }
}

/// How a zombie will be cleaned: the effective strategy with hybrid resolved, and the adaptive
/// trigger that made it immediate, if one did.
enum CleanupPlan: Equatable {
    case immediate(AdaptiveTrigger?)
    case deferred
    case lazy
    case custom
    case none

    init(_ zombie: Zombie, policy: ZombiePolicy, adaptive: AdaptiveInputs) {
        if policy.isImmediate(zombie.priority) { self = .immediate(.immediatePriority); return }
        if adaptive.memoryPressureHigh { self = .immediate(.memoryPressure); return }
        if adaptive.overForceThreshold { self = .immediate(.forceThreshold); return }
        switch policy.strategy {
        case .none: self = .none
        case .immediate: self = .immediate(nil)
        case .deferred: self = .deferred
        case .lazy: self = .lazy
        case .custom: self = .custom
        case .hybrid:
            if policy.resourceHeavy {
                self = .immediate(nil)
            } else if zombie.retryCount > 0 || policy.debugImportant || policy.debugMode {
                self = .deferred
            } else {
                self = .lazy
            }
        }
    }

    var label: StrategyLabel {
        switch self {
        case .immediate: .immediate
        case .deferred: .deferred
        case .lazy: .lazy
        case .custom: .custom
        case .none: .none
        }
    }
}
