import HeapModule

/// Timed work on operations (lease checks, leaving the registry): one min-heap by deadline per
/// kind (swift-collections' `Heap`), so maintenance pops only what is due and never scans.
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
        var operation: RecordHandle
        var kind: Kind
    }

    private var heaps = [Heap<DeadlineEntry>](repeating: Heap(), count: Kind.allCases.count)

    var count: Int { heaps.reduce(0) { $0 + $1.count } }
    var nextDeadline: Int64? { heaps.lazy.compactMap { $0.min?.deadline }.min() }

    mutating func push(_ entry: Entry) {
        heaps[entry.kind.rawValue].insert(DeadlineEntry(deadline: entry.deadline, operation: entry.operation))
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    mutating func popDue(now: Int64) -> Entry? {
        var earliest: Kind?
        for kind in Kind.allCases {
            guard let deadline = heaps[kind.rawValue].min?.deadline, deadline <= now else { continue }
            if let best = earliest, heaps[best.rawValue].min!.deadline <= deadline { continue }
            earliest = kind
        }
        guard let kind = earliest, let entry = heaps[kind.rawValue].popMin() else { return nil }
        return Entry(deadline: entry.deadline, operation: entry.operation, kind: kind)
    }
}

/// An operation's deadline in one kind's heap, ordered by deadline alone.
struct DeadlineEntry: Comparable {
    var deadline: Int64
    var operation: RecordHandle

    static func < (a: DeadlineEntry, b: DeadlineEntry) -> Bool { a.deadline < b.deadline }
    static func == (a: DeadlineEntry, b: DeadlineEntry) -> Bool { a.deadline == b.deadline }
}
