/// What the coordinator remembers about one operation, from submission until it is forgotten.
/// Kept small (one cache-line pair) because a million of them may be live: the rarely present
/// fields sit in `extras`, and absent timestamps are `OperationRecord.never`.
struct OperationRecord {
    static let never = Int64.min

    var id: String
    var target: String
    /// In the shard's `NameTable`.
    var targetType: UInt32
    var opType: UInt32
    var extras: OperationExtras?
    /// Kept in the record, not in `extras`: every loser of a batch has one, and sharing the
    /// winner's id string costs a retain where an `OperationExtras` would cost an allocation.
    var winner: String?
    var sequence: UInt64
    var submittedAt: Int64
    var admittedAt = never
    var startedAt = never
    var heartbeatAt = never
    var endedAt = never
    var priority: UInt8
    var effectivePriority: UInt8
    var status: OperationStatus = .staged
    var reason: RejectReason?
    var inRegistry = false

    /// A freed slot's content: no heap references, so freeing releases the strings at once.
    static var vacant: OperationRecord {
        OperationRecord(
            id: "", target: "", targetType: 0, opType: 0, extras: nil, winner: nil, sequence: 0, submittedAt: never,
            priority: 0, effectivePriority: 0)
    }

    /// In `extras` (a retry has `retryOf` there anyway): out of the record it brings the
    /// record's stride to 128 bytes from 136.
    var retryCount: Int { Int(extras?.retryCount ?? 0) }

    /// Admitted once, so its handle is (or was) a registry entity; history keeps showing it.
    var hasEntity: Bool { admittedAt != Self.never }

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

/// Lineage, retry count, completion error and cleanup override: absent for most operations.
final class OperationExtras {
    var parent: String?
    var retryOf: String?
    var retryCount: UInt32
    var error: String?
    var cleanup: CleanupOverride?

    init(parent: String?, retryOf: String?, retryCount: UInt32, cleanup: CleanupOverride?) {
        self.parent = parent
        self.retryOf = retryOf
        self.retryCount = retryCount
        self.cleanup = cleanup
    }
}
