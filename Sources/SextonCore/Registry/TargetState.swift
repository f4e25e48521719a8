/// One target's slice of the registry: its version, the operation holding it, and the
/// operations staged in its current staging window.
struct TargetState {
    var version = 0
    /// `active`, or `none`: a plain `EntityID` is 8 bytes where an optional one is 9, which
    /// padding made 16.
    private var holder = Self.none
    /// The current staging window. Its first member's handle identifies it (handles are never
    /// reused as they were), so a scheduled resolution of an earlier window does nothing.
    var window: [StagedMember] = []

    /// No handle has this generation: generations stay below 2^31.
    private static let none = EntityID(index: .max, generation: .max)

    /// Handle of the admitted or executing operation.
    var active: EntityID? {
        get { holder == Self.none ? nil : holder }
        set { holder = newValue ?? Self.none }
    }

    /// Nothing to remember: the entry can go (version 0 is also what a new entry starts with).
    var isIdle: Bool { active == nil && window.isEmpty && version == 0 }
}

/// An operation waiting in a batch.
struct StagedMember {
    var operation: EntityID
    var expectedVersion: Int?
    var completion: (@Sendable (Decision) -> Void)?
}
