/// A shard's target states by name. The hot path hashes a name once per `checkOut`, and a
/// state moves out of its slot and back without hashing again.
struct TargetTable {
    /// Starts with room for a first burst of targets, as `IdIndex` buckets do.
    private var map = StringSlotMap(vacant: TargetState(), capacity: 64)

    subscript(name: String) -> TargetState? { map.slot(of: name).map { map[$0] } }

    /// Moves the state of `name` out of the table (an empty one for a new target), keeping its
    /// slot until `checkIn`. Moving rather than copying keeps the window array uniquely
    /// referenced, so appending to it never copies it.
    mutating func checkOut(_ name: String) -> (slot: Int, state: TargetState) {
        let slot = map.slot(insertingIfAbsent: name, TargetState()).slot
        var state = TargetState()
        swap(&state, &map[slot])
        return (slot, state)
    }

    /// Puts back what `checkOut` took; a target with nothing to remember leaves the table.
    mutating func checkIn(slot: Int, state: TargetState) {
        if state.isIdle { map.remove(slot: slot) } else { map[slot] = state }
    }
}
