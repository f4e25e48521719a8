/// The states of CONTRACT §2.2.
public enum OperationStatus: String, CaseIterable, Sendable {
    case staged, admitted, executing, succeeded, failed, rejected, expired, cancelled

    /// Admitted or executing: the operation holds its target.
    public var isActive: Bool { self == .admitted || self == .executing }

    public var isEnded: Bool {
        switch self {
        case .succeeded, .failed, .rejected, .expired, .cancelled: true
        case .staged, .admitted, .executing: false
        }
    }
}

/// Why an operation was rejected (the `reason` of a rejection).
public enum RejectReason: String, CaseIterable, Sendable {
    case lostConflict = "lost_conflict"
    case gracePeriod = "grace_period"
    case executingProtected = "executing_protected"
    case preempted
    case targetBusy = "target_busy"
    case versionConflict = "version_conflict"

    /// Reasons decided while staged (`stage="staging"`); only `preempted` happens in the registry.
    public var stage: RejectionStage { self == .preempted ? .registry : .staging }
}

public enum RejectionStage: String, CaseIterable, Sendable {
    case staging, registry
}

/// How an admitted operation ended (`sexton_operations_completed_total{outcome}`).
public enum CompletionOutcome: String, CaseIterable, Sendable {
    case succeeded, failed, expired, cancelled
}

/// Why a zombie exists (`sexton_zombies_created_total{reason}`).
public enum ZombieReason: String, CaseIterable, Sendable {
    case preempted, failed, expired
}
