/// A min-heap of due times with lazy deletion: a zombie removed early (purge, visit, forced
/// cleanup) leaves its entry behind, recognised as stale by its schedule id and dropped when it
/// surfaces. Pushing in due order, the common case, costs O(1); popping costs O(log n), so a
/// pass costs O(due · log n) and looking at the earliest due time costs O(1).
struct DueQueue {
    struct Entry {
        var due: Int64
        var slot: Int32
        var scheduleID: UInt64
    }

    private(set) var entries: [Entry] = []

    var count: Int { entries.count }
    var earliest: Entry? { entries.first }

    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].due < entries[parent].due else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popEarliest() -> Entry? {
        guard let first = entries.first else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            siftDown(from: 0)
        }
        return first
    }

    /// Drops every entry `isLive` rejects and rebuilds the heap: O(n), for when stale entries
    /// outnumber live ones, so memory stays proportional to what is scheduled.
    mutating func compact(keeping isLive: (Entry) -> Bool) {
        entries.removeAll { !isLive($0) }
        var i = entries.count / 2
        while i > 0 {
            i -= 1
            siftDown(from: i)
        }
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        let n = entries.count
        while true {
            let left = 2 * parent + 1
            guard left < n else { return }
            let right = left + 1
            let child = right < n && entries[right].due < entries[left].due ? right : left
            guard entries[child].due < entries[parent].due else { return }
            entries.swapAt(child, parent)
            parent = child
        }
    }
}
