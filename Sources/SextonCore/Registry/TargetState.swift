/// One target's slice of the registry: its version, the operation holding it and how many
/// records name it, its place among idle targets, in 16 bytes. (Its staging window, when one is open, is in the shard's
/// `windows`: few targets have one at a time.)
struct TargetState {
    private var storedVersion: UInt32 = 0
    /// Its node in `IdleTargets` while only its version keeps it, else `IdleTargets.none`.
    var idleNode = IdleTargets.none
    /// The record slot of the admitted or executing operation, or `UInt32.max`. A slot needs no
    /// generation here: every way an operation ends clears it first, and only an ended record
    /// is forgotten (so its slot reused).
    private var holder = UInt32.max
    /// Records (live or history) whose `targetSlot` is this target's: the target keeps its
    /// slot, and its name, until the last one is forgotten.
    var uses: UInt32 = 0

    var version: Int {
        get { Int(storedVersion) }
        set { storedVersion = UInt32(truncatingIfNeeded: newValue) }
    }

    /// The record slot of the operation holding the target.
    var activeSlot: Int? {
        get { holder == .max ? nil : Int(holder) }
        set { holder = newValue.map(UInt32.init) ?? .max }
    }

    /// Nothing to remember: the entry can go (version 0 is also what a new entry starts with).
    /// An active or staged operation has a record, so `uses` covers them and the window.
    var isIdle: Bool { uses == 0 && version == 0 }
}

/// An operation waiting in a batch.
struct StagedMember {
    var operation: RecordHandle
    var expectedVersion: Int?
    var completion: (@Sendable (Decision) -> Void)?
}
