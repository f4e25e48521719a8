/// A string-keyed map whose keys and values sit in dense arrays at stable slots, found through
/// an open-addressing table of 4-byte slot numbers.
///
/// A `[String: Value]` bucket holds a key and a value and the table stays at most 3/4 full, so
/// at a million entries it spends about twice their size; here a bucket is 4 bytes (at most half
/// full) and each entry is stored once. A slot number also lets a caller come back to an entry
/// without hashing its key again.
struct StringSlotMap<Value> {
    /// Bucket values besides `slot + 1`.
    private static var empty: UInt32 { 0 }
    private static var deleted: UInt32 { .max }

    /// Linear probing, with at most half the buckets used (live or deleted) so probes stay short.
    private var buckets: [UInt32]
    private var used = 0
    private var keys: [String] = []
    private var values: [Value] = []
    private var free: [UInt32] = []
    /// What a freed slot holds, so freeing releases what the value referenced.
    private let vacant: Value

    /// Sized for `capacity` entries before the first growth.
    init(vacant: Value, capacity: Int) {
        self.vacant = vacant
        var count = 16
        while count < capacity * 2 { count *= 2 }
        buckets = [UInt32](repeating: Self.empty, count: count)
    }

    var count: Int { keys.count - free.count }

    subscript(slot: Int) -> Value {
        _read { yield values[slot] }
        _modify { yield &values[slot] }
    }

    func key(at slot: Int) -> String { keys[slot] }

    func slot(of key: String) -> Int? {
        let mask = buckets.count - 1
        var bucket = key.hashValue & mask
        while buckets[bucket] != Self.empty {
            let value = buckets[bucket]
            if value != Self.deleted && keys[Int(value - 1)] == key { return Int(value - 1) }
            bucket = (bucket + 1) & mask
        }
        return nil
    }

    /// The slot of `key`, found or inserted holding `value`, in one probe.
    mutating func slot(insertingIfAbsent key: String, _ value: @autoclosure () -> Value) -> (slot: Int, inserted: Bool) {
        let mask = buckets.count - 1
        var bucket = key.hashValue & mask
        var firstDeleted: Int?
        while buckets[bucket] != Self.empty {
            let existing = buckets[bucket]
            if existing == Self.deleted {
                firstDeleted = firstDeleted ?? bucket
            } else if keys[Int(existing - 1)] == key {
                return (Int(existing - 1), false)
            }
            bucket = (bucket + 1) & mask
        }
        let slot: Int
        if let reused = free.popLast() {
            slot = Int(reused)
            keys[slot] = key
            values[slot] = value()
        } else {
            slot = keys.count
            keys.append(key)
            values.append(value())
        }
        if let firstDeleted {
            buckets[firstDeleted] = UInt32(slot + 1)
        } else {
            buckets[bucket] = UInt32(slot + 1)
            used += 1
            if used * 2 > buckets.count { rehash() }
        }
        return (slot, true)
    }

    mutating func remove(slot: Int) {
        let mask = buckets.count - 1
        var bucket = keys[slot].hashValue & mask
        while buckets[bucket] != UInt32(slot + 1) { bucket = (bucket + 1) & mask }
        // A bucket that ends its probe run can be empty again; otherwise later entries of the
        // run must stay reachable.
        if buckets[(bucket + 1) & mask] == Self.empty {
            buckets[bucket] = Self.empty
            used -= 1
        } else {
            buckets[bucket] = Self.deleted
        }
        keys[slot] = ""
        values[slot] = vacant
        free.append(UInt32(slot))
    }

    /// Drops deleted buckets, doubling the table when live entries fill more than a quarter.
    private mutating func rehash() {
        let size = count * 4 > buckets.count ? buckets.count * 2 : buckets.count
        let old = buckets
        buckets = [UInt32](repeating: Self.empty, count: size)
        used = count
        for value in old where value != Self.empty && value != Self.deleted {
            var bucket = keys[Int(value - 1)].hashValue & (size - 1)
            while buckets[bucket] != Self.empty { bucket = (bucket + 1) & (size - 1) }
            buckets[bucket] = value
        }
    }
}
