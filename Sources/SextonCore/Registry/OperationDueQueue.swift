/// Timed work on operations (lease checks, leaving the registry): one binary
/// min-heap by deadline per kind, so maintenance pops only what is due and never scans.
///
/// A heap per kind, because then a stored entry needs no kind: 16 bytes instead of 24, and
/// every admitted operation has a lease entry (about 8 bytes per live operation at 1M).
/// Entries of different kinds due at one instant concern different operations, so which
/// kind pops first does not matter; the lowest kind goes first.
struct OperationDueQueue {
    enum Kind: Int, CaseIterable {
        /// Re-checked when popped: a renewed lease is pushed again at its new deadline, so
        /// heartbeats cost nothing here.
        case lease
        /// A succeeded operation's entity leaves the registry (`HistoryQueue` forgets it later).
        case leaveRegistry
    }

    struct Entry {
        var deadline: Int64
        var operation: EntityID
        var kind: Kind
    }

    private var heaps = [DeadlineHeap](repeating: DeadlineHeap(), count: Kind.allCases.count)

    var count: Int { heaps.reduce(0) { $0 + $1.count } }
    var nextDeadline: Int64? { heaps.lazy.compactMap(\.nextDeadline).min() }

    mutating func push(_ entry: Entry) {
        heaps[entry.kind.rawValue].push(DeadlineHeap.Entry(deadline: entry.deadline, operation: entry.operation))
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    mutating func popDue(now: Int64) -> Entry? {
        var earliest: Kind?
        for kind in Kind.allCases {
            guard let deadline = heaps[kind.rawValue].nextDeadline, deadline <= now else { continue }
            if let best = earliest, heaps[best.rawValue].nextDeadline! <= deadline { continue }
            earliest = kind
        }
        guard let kind = earliest, let entry = heaps[kind.rawValue].popFirst() else { return nil }
        return Entry(deadline: entry.deadline, operation: entry.operation, kind: kind)
    }
}

/// A binary min-heap of operations by deadline.
struct DeadlineHeap {
    struct Entry {
        var deadline: Int64
        var operation: EntityID
    }

    private var heap: [Entry] = []

    var count: Int { heap.count }
    var nextDeadline: Int64? { heap.first?.deadline }

    mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popFirst() -> Entry? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        guard !heap.isEmpty else { return first }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { break }
            let right = left + 1
            let child = right < heap.count && heap[right].deadline < heap[left].deadline ? right : left
            guard heap[child].deadline < heap[parent].deadline else { break }
            heap.swapAt(child, parent)
            parent = child
        }
        return first
    }
}
