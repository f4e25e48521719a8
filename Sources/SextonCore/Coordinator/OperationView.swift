/// One operation as queries see it (`GET /v1/operations/{id}`).
public struct OperationView: Sendable, Equatable {
    public var id: String
    public var target: String
    public var targetType: String
    public var opType: String
    public var priority: Priority
    /// max(own, parent's effective priority at submission).
    public var effectivePriority: Priority
    public var status: OperationStatus
    public var reason: RejectReason?
    public var submittedAt: Timestamp
    public var admittedAt: Timestamp?
    public var startedAt: Timestamp?
    public var lastHeartbeatAt: Timestamp?
    public var endedAt: Timestamp?
    /// The entity it was given when admitted, kept after the entity left the registry.
    public var ecsId: EntityID?
    /// Whether that entity is still in the registry (a zombie, or succeeded within retention).
    public var inRegistry: Bool
    public var isZombie: Bool
    public var parent: String?
    public var retryOf: String?
    public var retryCount: Int
    /// The operation that held or won the target when this one was rejected.
    public var winner: String?
    /// The error reported with a failed completion.
    public var error: String?
}

/// One target (`GET /v1/targets/{target}`); zombies come from the cleanup engine.
public struct TargetView: Sendable, Equatable {
    public var target: String
    public var version: Int
    public var active: OperationView?
    public var staged: Int
}

extension CoordinatorShard {
    func view(_ slot: Int) -> OperationView { ops[slot].view(handle: ops.handle(ofSlot: slot), names: names) }
}

extension OperationRecord {
    func view(handle: EntityID, names: NameTable) -> OperationView {
        func time(_ nanos: Int64) -> Timestamp? { nanos == Self.never ? nil : Timestamp(nanoseconds: nanos) }
        return OperationView(
            id: id, target: target, targetType: names[targetType], opType: names[opType],
            priority: Priority(Int(priority)) ?? .normal,
            effectivePriority: Priority(Int(effectivePriority)) ?? .normal,
            status: status, reason: reason, submittedAt: Timestamp(nanoseconds: submittedAt),
            admittedAt: time(admittedAt), startedAt: time(startedAt), lastHeartbeatAt: time(heartbeatAt),
            endedAt: time(endedAt), ecsId: hasEntity ? handle : nil, inRegistry: inRegistry, isZombie: isZombie,
            parent: extras?.parent, retryOf: extras?.retryOf, retryCount: retryCount,
            winner: winner, error: extras?.error)
    }
}
