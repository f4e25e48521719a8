/// A shard's target states. Names and states sit in dense arrays, found through an
/// open-addressing table of slot numbers: a bucket is 4 bytes where a `[String: UInt32]` bucket
/// was 20, and each name is stored once (about 17 bytes less per live target at 1M). The hot
/// path hashes a name once per `checkOut`, and a state moves out of its slot and back without
/// hashing again.
struct TargetTable {
    /// Bucket values besides `slot + 1`.
    private static let empty: UInt32 = 0
    private static let deleted = UInt32.max
    /// Linear probing, with at most half the buckets used (live or deleted) so probes stay short.
    /// Starts with room for a first burst of targets, as `IdIndex` buckets do.
    private var buckets = [UInt32](repeating: empty, count: 128)
    private var used = 0
    private var names: [String] = []
    private var states: [TargetState] = []
    private var free: [UInt32] = []

    subscript(name: String) -> TargetState? {
        var bucket = Self.home(of: name, in: buckets.count)
        while buckets[bucket] != Self.empty {
            let value = buckets[bucket]
            if value != Self.deleted && names[Int(value - 1)] == name { return states[Int(value - 1)] }
            bucket = (bucket + 1) & (buckets.count - 1)
        }
        return nil
    }

    /// Moves the state of `name` out of the table (an empty one for a new target), keeping its
    /// slot until `checkIn`. Moving rather than copying keeps the window array uniquely
    /// referenced, so appending to it never copies it.
    mutating func checkOut(_ name: String) -> (slot: Int, state: TargetState) {
        var bucket = Self.home(of: name, in: buckets.count)
        var firstDeleted: Int?
        while buckets[bucket] != Self.empty {
            let value = buckets[bucket]
            if value == Self.deleted {
                firstDeleted = firstDeleted ?? bucket
            } else if names[Int(value - 1)] == name {
                var state = TargetState()
                swap(&state, &states[Int(value - 1)])
                return (Int(value - 1), state)
            }
            bucket = (bucket + 1) & (buckets.count - 1)
        }
        // A freed slot holds an empty state: `checkIn` drops only idle ones, `checkOut` left
        // an empty state behind.
        let slot: Int
        if let reused = free.popLast() {
            slot = Int(reused)
            names[slot] = name
        } else {
            slot = names.count
            names.append(name)
            states.append(TargetState())
        }
        if let firstDeleted {
            buckets[firstDeleted] = UInt32(slot + 1)
        } else {
            buckets[bucket] = UInt32(slot + 1)
            used += 1
            if used * 2 > buckets.count { rehash() }
        }
        return (slot, TargetState())
    }

    /// Puts back what `checkOut` took; a target with nothing to remember leaves the table.
    mutating func checkIn(_ name: String, slot: Int, state: TargetState) {
        guard state.isIdle else {
            states[slot] = state
            return
        }
        let mask = buckets.count - 1
        var bucket = Self.home(of: name, in: buckets.count)
        while buckets[bucket] != UInt32(slot + 1) { bucket = (bucket + 1) & mask }
        // A bucket that ends its probe run can be empty again; otherwise later entries of the
        // run must stay reachable.
        if buckets[(bucket + 1) & mask] == Self.empty {
            buckets[bucket] = Self.empty
            used -= 1
        } else {
            buckets[bucket] = Self.deleted
        }
        names[slot] = ""
        free.append(UInt32(slot))
    }

    private static func home(of name: String, in count: Int) -> Int { name.hashValue & (count - 1) }

    /// Drops deleted buckets, doubling the table when live targets fill more than a quarter.
    private mutating func rehash() {
        let live = names.count - free.count
        let count = live * 4 > buckets.count ? buckets.count * 2 : buckets.count
        let old = buckets
        buckets = [UInt32](repeating: Self.empty, count: count)
        used = live
        for value in old where value != Self.empty && value != Self.deleted {
            var bucket = Self.home(of: names[Int(value - 1)], in: count)
            while buckets[bucket] != Self.empty { bucket = (bucket + 1) & (count - 1) }
            buckets[bucket] = value
        }
    }
}
