/// One target's slice of the registry: its version, the operation holding it, the operations
/// staged in its current staging window, and how many records name it.
struct TargetState {
    var version = 0
    /// The current staging window. Its first member's handle identifies it (handles are never
    /// reused as they were), so a scheduled resolution of an earlier window does nothing.
    var window: [StagedMember] = []
    /// The record slot of the admitted or executing operation, or `UInt32.max`. A slot needs no
    /// generation here: every way an operation ends clears it first, and only an ended record
    /// is forgotten (so its slot reused). 4 bytes keep the state at 24.
    private var holder = UInt32.max
    /// Records (live or history) whose `targetSlot` is this target's: the target keeps its
    /// slot, and its name, until the last one is forgotten.
    var uses: UInt32 = 0

    /// The record slot of the operation holding the target.
    var activeSlot: Int? {
        get { holder == .max ? nil : Int(holder) }
        set { holder = newValue.map(UInt32.init) ?? .max }
    }

    /// Nothing to remember: the entry can go (version 0 is also what a new entry starts with).
    /// An active or staged operation has a record, so `uses` covers them.
    var isIdle: Bool { uses == 0 && version == 0 }
}

/// An operation waiting in a batch.
struct StagedMember {
    var operation: EntityID
    var expectedVersion: Int?
    var completion: (@Sendable (Decision) -> Void)?
}
