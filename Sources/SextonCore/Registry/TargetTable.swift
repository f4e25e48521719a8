/// A shard's target states by name. The hot path hashes a name once per submission; records
/// keep their target's slot, so later calls reach the state without hashing.
struct TargetTable {
    /// Starts with room for a first burst of targets, as `IdIndex` buckets do.
    private var map = StringSlotMap(vacant: TargetState(), capacity: 64)

    /// The slot and state of a known target, without adding it.
    func find(_ name: String) -> (slot: UInt32, state: TargetState)? {
        map.slot(of: name).map { (UInt32($0), map[$0]) }
    }

    func name(at slot: UInt32) -> String { map.key(at: Int(slot)) }

    /// The slot of `name`, added with an empty state if new.
    mutating func slot(of name: String) -> UInt32 {
        UInt32(map.slot(insertingIfAbsent: name, TargetState()).slot)
    }

    /// Moves the state in `slot` out of the table until `checkIn`, leaving an empty one.
    mutating func checkOut(_ slot: UInt32) -> TargetState {
        var state = TargetState()
        swap(&state, &map[Int(slot)])
        return state
    }

    /// Puts back what `checkOut` took; a target with nothing to remember leaves the table.
    mutating func checkIn(_ slot: UInt32, _ state: TargetState) {
        if state.isIdle { map.remove(slot: Int(slot)) } else { map[Int(slot)] = state }
    }

    /// One record naming the target in `slot` was forgotten.
    mutating func release(_ slot: UInt32) {
        var state = checkOut(slot)
        state.uses -= 1
        checkIn(slot, state)
    }
}
