/// CONTRACT §2.3's rule for one batch against one target, apart from how operations are kept,
/// so the in-process shard and the shared store decide alike.
public enum ResolutionRule {
    /// What holds the target when the batch resolves (times on the clock `now` is read from).
    public struct Holder: Sendable, Equatable {
        public var admittedAt: Int64
        public var isExecuting: Bool
        public var effectivePriority: Priority

        public init(admittedAt: Int64, isExecuting: Bool, effectivePriority: Priority) {
            self.admittedAt = admittedAt
            self.isExecuting = isExecuting
            self.effectivePriority = effectivePriority
        }
    }

    /// What the batch's best candidate gets.
    public enum Verdict: Sendable, Equatable {
        /// The target is free: the candidate is admitted.
        case admit
        /// The candidate is admitted and the holder preempted.
        case preempt
        /// The holder stays; every member is rejected with this reason (version conflicts aside).
        case keep(RejectReason)
    }

    /// A member may win only if it names no version or the target's current one.
    @inlinable
    public static func accepts(expectedVersion: Int?, version: Int) -> Bool {
        expectedVersion.map { $0 == version } ?? true
    }

    /// Higher effective priority first, then the earlier arrival; on a full tie the member met
    /// first (the caller keeps it).
    @inlinable
    public static func outranks(_ a: Priority, arrived x: Int64, _ b: Priority, arrived y: Int64) -> Bool {
        a != b ? a > b : x < y
    }

    /// The grace period protects a fresh holder, `protect_executing` a running one; after that
    /// only a strictly higher effective priority preempts.
    @inlinable
    public static func verdict(
        for candidate: Priority, holder: Holder?, now: Int64, grace: Int64, protectExecuting: Bool
    ) -> Verdict {
        guard let holder else { return .admit }
        if now - holder.admittedAt < grace { return .keep(.gracePeriod) }
        if holder.isExecuting && protectExecuting { return .keep(.executingProtected) }
        return candidate > holder.effectivePriority ? .preempt : .keep(.targetBusy)
    }

    /// The reason a member that did not win is rejected with.
    @inlinable
    public static func reason(expectedVersion: Int?, version: Int, others: RejectReason) -> RejectReason {
        accepts(expectedVersion: expectedVersion, version: version) ? others : .versionConflict
    }
}
