import DequeModule
import Synchronization

/// Every ended operation the coordinator still remembers (CONTRACT §2.2), across shards, in the
/// order they entered history: what retention forgets at its time and what `max_history` forgets
/// first (the oldest). Succeeded operations wait in their own queue, since they stay twice as
/// long (in the registry for `history_retention`, then queryable for as long again), so each
/// queue is in deadline order and both pops are O(1).
///
/// Locking: appended to under a shard's lock (this lock nests inside it); popped with no shard
/// lock held, and the shard is locked afterwards to forget the entry.
final class HistoryQueue: Sendable {
    struct Entry {
        var handle: RecordHandle
        /// When it entered history (ended, or left the registry as a zombie).
        var since: Int64
        var shard: UInt32
    }

    private struct Queues {
        var ended = Deque<Entry>()
        var succeeded = Deque<Entry>()
    }

    private let queues = Mutex(Queues())
    private let size = Atomic<Int>(0)
    let retention: Int64
    let capacity: Int

    init(retention: Duration, capacity: Int) {
        self.retention = retention.nanoseconds
        self.capacity = capacity
    }

    var count: Int { size.load(ordering: .relaxed) }

    var isOverCapacity: Bool { count > capacity }

    func append(_ entry: Entry, succeeded: Bool) {
        queues.withLock { q in
            if succeeded { q.succeeded.append(entry) } else { q.ended.append(entry) }
        }
        size.add(1, ordering: .relaxed)
    }

    /// Takes, up to `budget`, the entries whose retention has run out at `now`, then the oldest
    /// beyond the capacity. `evicted` counts the latter.
    func takeForgettable(now: Int64, budget: Int) -> (entries: [Entry], evicted: Int) {
        let taken = queues.withLock { q -> (entries: [Entry], evicted: Int) in
            var entries: [Entry] = []
            while entries.count < budget, let first = q.ended.first, first.since &+ retention <= now {
                entries.append(q.ended.removeFirst())
            }
            while entries.count < budget, let first = q.succeeded.first, first.since &+ 2 &* retention <= now {
                entries.append(q.succeeded.removeFirst())
            }
            let due = entries.count
            var excess = q.ended.count + q.succeeded.count - capacity
            while excess > 0, entries.count < budget {
                let fromEnded: Bool
                switch (q.ended.first, q.succeeded.first) {
                case let (e?, s?): fromEnded = e.since <= s.since
                case (.some, nil): fromEnded = true
                case (nil, .some): fromEnded = false
                case (nil, nil): excess = 0; continue
                }
                entries.append(fromEnded ? q.ended.removeFirst() : q.succeeded.removeFirst())
                excess -= 1
            }
            return (entries, entries.count - due)
        }
        size.subtract(taken.entries.count, ordering: .relaxed)
        return taken
    }

    /// The earliest time retention forgets something, nil when nothing is remembered.
    var nextDeadline: Int64? {
        queues.withLock { q in
            [q.ended.first.map { $0.since &+ retention }, q.succeeded.first.map { $0.since &+ 2 &* retention }]
                .compactMap { $0 }.min()
        }
    }
}
