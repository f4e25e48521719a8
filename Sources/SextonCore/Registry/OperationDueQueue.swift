/// Timed work on operations (lease checks, leaving the registry, forgetting): a binary min-heap
/// by deadline, so maintenance pops only what is due and never scans.
struct OperationDueQueue {
    enum Kind: UInt8 {
        /// Re-checked when popped: a renewed lease is pushed again at its new deadline, so
        /// heartbeats cost nothing here.
        case lease
        /// A succeeded operation's entity leaves the registry.
        case leaveRegistry
        /// An ended operation that left the registry is forgotten.
        case forget
    }

    struct Entry {
        var deadline: Int64
        var operation: EntityID
        var kind: Kind
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

    /// Removes and returns the earliest entry if it is due at `now`.
    mutating func popDue(now: Int64) -> Entry? {
        guard let first = heap.first, first.deadline <= now else { return nil }
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
