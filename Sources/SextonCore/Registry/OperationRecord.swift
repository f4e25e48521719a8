/// What the coordinator remembers about one operation, from submission until it is forgotten.
/// Kept to 80 bytes because a million of them may be live: names are slots and indexes into
/// the shard's tables, the rarely present fields sit in the shard's `extras`, and absent
/// timestamps are `OperationRecord.never`.
struct OperationRecord {
    static let never = Int64.min
    /// `entityOrWinner` holding neither: index and generation `UInt32.max`, never a live id.
    private static let nothing = UInt64.max

    var id: StoredID
    /// The registry entity of an admitted operation, or the record handle of whoever held or won
    /// the target when this operation lost in staging (never both: one 8-byte field). A winner
    /// (active then, or admitted in the same batch) ends no earlier than its loser, so it is
    /// remembered at least as long; a preempted operation can outlive its winner as a zombie,
    /// so its winner's id is in `extras`. Untyped here; `entity` and `stagingWinner` type it.
    private var entityOrWinner = Self.nothing
    var submittedAt: Int64
    var admittedAt = never
    var startedAt = never
    var heartbeatAt = never
    var endedAt = never
    /// In the shard's `TargetTable`, which keeps the target while records use it.
    var targetSlot: UInt32
    /// In the shard's `NameTable`.
    var targetType: UInt32
    var opType: UInt32
    var status: OperationStatus = .staged
    var reason: RejectReason?
    /// Own priority in the low four bits, effective priority in the high four (both 1...10).
    private var priorities: UInt8
    var inRegistry = false

    init(id: StoredID, targetSlot: UInt32, targetType: UInt32, opType: UInt32, submittedAt: Int64, priority: Priority, effectivePriority: Priority) {
        self.id = id
        self.targetSlot = targetSlot
        self.targetType = targetType
        self.opType = opType
        self.submittedAt = submittedAt
        priorities = UInt8(priority.value) | UInt8(effectivePriority.value) << 4
    }

    /// A freed slot's content: no heap references, so freeing releases the id at once.
    static var vacant: OperationRecord {
        OperationRecord(id: StoredID(""), targetSlot: 0, targetType: 0, opType: 0, submittedAt: never, priority: .normal, effectivePriority: .normal)
    }

    var priority: Priority { Priority(Int(priorities & 0x0F))! }
    var effectivePriority: Priority { Priority(Int(priorities >> 4))! }

    /// Given at admission (set `admittedAt` first) and kept after the entity left the registry,
    /// so history shows the ecs_id.
    var entity: EntityID? {
        get { admittedAt == Self.never ? nil : Self.unpacked(entityOrWinner) }
        set { entityOrWinner = newValue.map(Self.packed) ?? Self.nothing }
    }

    /// For an operation rejected in staging: the handle of the operation it lost to.
    var stagingWinner: RecordHandle? {
        get { admittedAt != Self.never || entityOrWinner == Self.nothing ? nil : Self.unpacked(entityOrWinner) }
        set { entityOrWinner = newValue.map(Self.packed) ?? Self.nothing }
    }

    private static func packed(_ id: some GenerationalID) -> UInt64 { UInt64(id.index) << 32 | UInt64(id.generation) }

    private static func unpacked<ID: GenerationalID>(_ raw: UInt64) -> ID {
        ID(index: UInt32(raw >> 32), generation: UInt32(truncatingIfNeeded: raw))
    }

    var isZombie: Bool {
        inRegistry && (status == .failed || status == .expired || (status == .rejected && reason == .preempted))
    }

    /// When the lease of an active operation runs out; nil for other states or with leases off.
    func leaseDeadline(lease: Int64) -> Int64? {
        guard lease > 0 else { return nil }
        switch status {
        case .admitted: return admittedAt &+ lease
        case .executing: return heartbeatAt &+ lease
        default: return nil
        }
    }
}

/// Lineage, retry count, completion error, cleanup override and a preempted operation's
/// winner: absent for most operations, so kept beside the records, by slot.
struct OperationExtras {
    var parent: String?
    var retryOf: String?
    var retryCount = 0
    var error: String?
    var cleanup: CleanupOverride?
    var winner: String?
}
