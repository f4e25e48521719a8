/// A shard's target states. Names map to slots of a dense array, so the hot path hashes a
/// target's name once (the defaulted subscript finds or inserts in one probe) and a state moves
/// out of its slot and back without hashing again. Slot values are 4 bytes where the states
/// (40) would otherwise sit in the sparsely filled hash table.
struct TargetTable {
    /// Sized for a first burst of targets, as `IdIndex` buckets are (about 1.3 KB per shard).
    private var slots = [String: UInt32](minimumCapacity: 48)
    private var states: [TargetState] = []
    private var free: [UInt32] = []

    subscript(name: String) -> TargetState? { slots[name].map { states[Int($0)] } }

    /// Moves the state of `name` out of the table (an empty one for a new target), keeping its
    /// slot until `checkIn`. Moving rather than copying keeps the window array uniquely
    /// referenced, so appending to it never copies it.
    mutating func checkOut(_ name: String) -> (slot: Int, state: TargetState) {
        let next = free.last ?? UInt32(states.count)
        let slot = Self.value(of: &slots[name, default: next])
        if slot == next {
            if free.popLast() == nil { states.append(TargetState()) }
            return (Int(slot), TargetState())
        }
        var state = TargetState()
        swap(&state, &states[Int(slot)])
        return (Int(slot), state)
    }

    /// Puts back what `checkOut` took; a target with nothing to remember leaves the table.
    mutating func checkIn(_ name: String, slot: Int, state: TargetState) {
        if state.isIdle {
            slots[name] = nil
            free.append(UInt32(slot))
        } else {
            states[slot] = state
        }
    }

    /// Reads through an inout access, so `slots[name, default:]` inserts with a single lookup.
    private static func value(of slot: inout UInt32) -> UInt32 { slot }
}
