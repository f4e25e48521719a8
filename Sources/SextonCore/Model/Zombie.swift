/// A registry entity whose operation ended without success after admission (CONTRACT §2.2).
/// The coordinator hands it to the cleanup engine, which owns it until it is removed.
public struct Zombie: Sendable, Equatable {
    public var operationID: String
    public var entity: EntityID
    public var target: String
    public var targetType: String
    public var opType: String
    /// The effective priority the operation held.
    public var priority: Priority
    public var retryCount: Int
    /// `rejected` (preempted), `failed` or `expired`.
    public var status: OperationStatus
    public var reason: ZombieReason
    public var admittedAt: Timestamp
    public var endedAt: Timestamp
    public var cleanup: CleanupOverride?

    public init(
        operationID: String, entity: EntityID, target: String, targetType: String, opType: String,
        priority: Priority, retryCount: Int, status: OperationStatus, reason: ZombieReason,
        admittedAt: Timestamp, endedAt: Timestamp, cleanup: CleanupOverride?
    ) {
        self.operationID = operationID
        self.entity = entity
        self.target = target
        self.targetType = targetType
        self.opType = opType
        self.priority = priority
        self.retryCount = retryCount
        self.status = status
        self.reason = reason
        self.admittedAt = admittedAt
        self.endedAt = endedAt
        self.cleanup = cleanup
    }
}

/// Receives zombies from the coordinator. Called outside the coordinator's locks.
public protocol ZombieSink: AnyObject, Sendable {
    func zombieCreated(_ zombie: Zombie)
}

/// Removes a zombie's entity from every registry index. Called outside the cleanup engine's
/// locks. Returns false when the entity is already gone (a stale id).
public protocol ZombieRemover: AnyObject, Sendable {
    func removeZombie(_ entity: EntityID, operationID: String) -> Bool
}
