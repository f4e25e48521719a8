/// One intrusive doubly linked list over slab slots: O(1) append, O(1) removal from anywhere,
/// oldest first. The links live in `SlotLinks` so one set of arrays serves many lists.
struct ListHead {
    var head: Int32 = -1
    var tail: Int32 = -1
    var count = 0
}

/// The previous/next links of every slot for one family of lists (global, per target, per type).
struct SlotLinks {
    private(set) var next: [Int32] = []
    private var prev: [Int32] = []

    mutating func grow(to slots: Int) {
        while next.count < slots {
            next.append(-1)
            prev.append(-1)
        }
    }

    mutating func append(_ slot: Int32, to list: inout ListHead) {
        let i = Int(slot)
        prev[i] = list.tail
        next[i] = -1
        if list.tail >= 0 { next[Int(list.tail)] = slot } else { list.head = slot }
        list.tail = slot
        list.count += 1
    }

    mutating func remove(_ slot: Int32, from list: inout ListHead) {
        let i = Int(slot)
        let p = prev[i], n = next[i]
        if p >= 0 { next[Int(p)] = n } else { list.head = n }
        if n >= 0 { prev[Int(n)] = p } else { list.tail = p }
        prev[i] = -1
        next[i] = -1
        list.count -= 1
    }
}

/// Lists keyed by a string (a target, a target type). Keys are interned to small ids so the
/// hot paths index arrays instead of hashing; a key's id is freed when its list empties, so
/// memory follows the live keys, not every key ever seen.
struct KeyedSlotLists {
    private(set) var links = SlotLinks()
    private var ids: [String: Int32] = [:]
    private(set) var lists: [ListHead] = []
    private(set) var keys: [String] = []
    private var freeIDs: [Int32] = []

    mutating func grow(to slots: Int) { links.grow(to: slots) }

    /// Appends `slot` to `key`'s list and returns the key's id.
    mutating func append(_ slot: Int32, key: String) -> Int32 {
        let id: Int32
        if let known = ids[key] {
            id = known
        } else if let reused = freeIDs.popLast() {
            id = reused
            keys[Int(id)] = key
            ids[key] = id
        } else {
            id = Int32(lists.count)
            lists.append(ListHead())
            keys.append(key)
            ids[key] = id
        }
        links.append(slot, to: &lists[Int(id)])
        return id
    }

    mutating func remove(_ slot: Int32, id: Int32) {
        let i = Int(id)
        links.remove(slot, from: &lists[i])
        if lists[i].count == 0 {
            ids[keys[i]] = nil
            keys[i] = ""
            freeIDs.append(id)
        }
    }

    func id(of key: String) -> Int32? { ids[key] }

    func count(of key: String) -> Int { ids[key].map { lists[Int($0)].count } ?? 0 }

    /// Every live key with the length of its list.
    var counts: [String: Int] {
        var result: [String: Int] = [:]
        result.reserveCapacity(ids.count)
        for (key, id) in ids { result[key] = lists[Int(id)].count }
        return result
    }
}
