/// Due times in order, with lazy deletion: a zombie removed early (purge, visit, forced
/// cleanup) leaves its entry behind, recognised as stale by its schedule id and dropped when it
/// surfaces.
///
/// Most zombies are scheduled in due order (same retention, arriving over time), so those go to
/// a sorted run where pushing and popping cost O(1); anything earlier than the run's tail (a
/// shorter retention, a handler retry) goes to a min-heap, O(log n). Popping takes the earlier of
/// the two heads, so a pass costs O(due) in the common case and O(due · log n) at worst, and
/// looking at the earliest due time costs O(1).
struct DueQueue {
    struct Entry {
        var due: Int64
        var slot: Int32
        var scheduleID: UInt64

        func precedes(_ other: Entry) -> Bool { (due, scheduleID) < (other.due, other.scheduleID) }
    }

    private var run: [Entry] = []
    private var runHead = 0
    private var heap: [Entry] = []

    var count: Int { run.count - runHead + heap.count }

    var earliest: Entry? {
        let fromRun = runHead < run.count ? run[runHead] : nil
        guard let top = heap.first else { return fromRun }
        guard let fromRun else { return top }
        return top.precedes(fromRun) ? top : fromRun
    }

    mutating func push(_ entry: Entry) {
        if runHead == run.count || !entry.precedes(run[run.count - 1]) {
            run.append(entry)
        } else {
            heap.append(entry)
            siftUp(from: heap.count - 1)
        }
    }

    mutating func popEarliest() -> Entry? {
        guard let first = earliest else { return nil }
        if runHead < run.count, run[runHead].scheduleID == first.scheduleID {
            runHead += 1
            if runHead == run.count {
                run.removeAll(keepingCapacity: true)
                runHead = 0
            } else if runHead >= 4096, runHead * 2 >= run.count {
                run.removeFirst(runHead)
                runHead = 0
            }
        } else {
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                siftDown(from: 0)
            }
        }
        return first
    }

    /// The entries due at `time`, in due order, without removing them: the run's prefix and a
    /// walk of the heap that prunes every subtree whose root is not due.
    func entries(dueAt time: Int64) -> [Entry] {
        var found = Array(run[runHead...].prefix { $0.due <= time })
        var stack = heap.isEmpty ? [] : [0]
        while let i = stack.popLast() {
            guard heap[i].due <= time else { continue }
            found.append(heap[i])
            if 2 * i + 1 < heap.count { stack.append(2 * i + 1) }
            if 2 * i + 2 < heap.count { stack.append(2 * i + 2) }
        }
        return found.sorted { $0.precedes($1) }
    }

    /// Drops every entry `isLive` rejects and rebuilds: O(n), for when stale entries outnumber
    /// live ones, so memory stays proportional to what is scheduled.
    mutating func compact(keeping isLive: (Entry) -> Bool) {
        run = run[runHead...].filter(isLive)
        runHead = 0
        heap.removeAll { !isLive($0) }
        var i = heap.count / 2
        while i > 0 {
            i -= 1
            siftDown(from: i)
        }
    }

    private mutating func siftUp(from start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        let n = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < n else { return }
            let right = left + 1
            let child = right < n && heap[right].precedes(heap[left]) ? right : left
            guard heap[child].precedes(heap[parent]) else { return }
            heap.swapAt(child, parent)
            parent = child
        }
    }
}
