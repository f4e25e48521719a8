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

    public init(
        id: String, target: String, targetType: String, opType: String, priority: Priority, effectivePriority: Priority,
        status: OperationStatus, reason: RejectReason?, submittedAt: Timestamp, admittedAt: Timestamp?,
        startedAt: Timestamp?, lastHeartbeatAt: Timestamp?, endedAt: Timestamp?, ecsId: EntityID?, inRegistry: Bool,
        isZombie: Bool, parent: String?, retryOf: String?, retryCount: Int, winner: String?, error: String?
    ) {
        self.id = id
        self.target = target
        self.targetType = targetType
        self.opType = opType
        self.priority = priority
        self.effectivePriority = effectivePriority
        self.status = status
        self.reason = reason
        self.submittedAt = submittedAt
        self.admittedAt = admittedAt
        self.startedAt = startedAt
        self.lastHeartbeatAt = lastHeartbeatAt
        self.endedAt = endedAt
        self.ecsId = ecsId
        self.inRegistry = inRegistry
        self.isZombie = isZombie
        self.parent = parent
        self.retryOf = retryOf
        self.retryCount = retryCount
        self.winner = winner
        self.error = error
    }
}

/// One target (`GET /v1/targets/{target}`); zombies come from the cleanup engine.
public struct TargetView: Sendable, Equatable {
    public var target: String
    public var version: Int
    public var active: OperationView?
    public var staged: Int

    public init(target: String, version: Int, active: OperationView?, staged: Int) {
        self.target = target
        self.version = version
        self.active = active
        self.staged = staged
    }
}

extension CoordinatorShard {
    func view(_ slot: Int) -> OperationView {
        func time(_ nanos: Int64) -> Timestamp? { nanos == OperationRecord.never ? nil : Timestamp(nanoseconds: nanos) }
        let record = ops[slot]
        let extras = extras[slot]
        return OperationView(
            id: record.id.external, target: targets.name(at: record.targetSlot), targetType: names[record.targetType],
            opType: names[record.opType], priority: record.priority, effectivePriority: record.effectivePriority,
            status: record.status, reason: record.reason, submittedAt: Timestamp(nanoseconds: record.submittedAt),
            admittedAt: time(record.admittedAt), startedAt: time(record.startedAt),
            lastHeartbeatAt: time(record.heartbeatAt), endedAt: time(record.endedAt),
            ecsId: record.entity, inRegistry: record.inRegistry,
            isZombie: record.isZombie, parent: extras?.parent, retryOf: extras?.retryOf,
            retryCount: extras?.retryCount ?? 0,
            winner: extras?.winner ?? record.stagingWinner.flatMap { ops.slot(of: $0) }.map { ops[$0].id.external }, error: extras?.error)
    }
}
