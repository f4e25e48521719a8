/// The `target_type` and `op_type` names of one shard's operations, interned: a record keeps
/// two 4-byte indexes instead of two 16-byte strings. Counted, so a name leaves with the last
/// record that uses it and a stream of distinct names cannot pile up.
struct NameTable {
    private var names: [String] = []
    private var uses: [UInt32] = []
    private var indexes: [String: UInt32] = [:]
    private var free: [UInt32] = []
    /// The last name retained: most submissions repeat it, and comparing is cheaper than hashing.
    private var last: UInt32?

    var count: Int { indexes.count }

    subscript(index: UInt32) -> String { names[Int(index)] }

    /// The index of `name`, counting one more use.
    mutating func retain(_ name: String) -> UInt32 {
        let index: UInt32
        // A freed slot holds "", which no valid name equals.
        if let last, names[Int(last)] == name {
            index = last
        } else if let known = indexes[name] {
            index = known
        } else {
            if let reused = free.popLast() {
                index = reused
                names[Int(index)] = name
            } else {
                index = UInt32(names.count)
                names.append(name)
                uses.append(0)
            }
            indexes[name] = index
        }
        uses[Int(index)] += 1
        last = index
        return index
    }

    mutating func release(_ index: UInt32) {
        uses[Int(index)] -= 1
        guard uses[Int(index)] == 0 else { return }
        indexes[names[Int(index)]] = nil
        names[Int(index)] = ""
        free.append(index)
    }
}
