import SextonCore
import Synchronization

/// For tests: work runs only when `runDue()` is called, once the clock has reached its deadline.
public final class ManualScheduler: StagingScheduler {
    private struct Pending {
        var deadline: Timestamp
        var order: Int
        var work: @Sendable () -> Void
    }

    private let clock: ManualClock
    private let pending = Mutex<(items: [Pending], next: Int)>(([], 0))

    public init(clock: ManualClock) { self.clock = clock }

    public func schedule(at deadline: Timestamp, _ work: @escaping @Sendable () -> Void) {
        pending.withLock { state in
            state.items.append(Pending(deadline: deadline, order: state.next, work: work))
            state.next += 1
        }
    }

    public var pendingCount: Int { pending.withLock { $0.items.count } }

    /// Runs, in deadline order, the work due at the clock's current time (outside the lock, so
    /// the work may schedule more). Returns how many ran.
    @discardableResult
    public func runDue() -> Int {
        let now = clock.now()
        let due = pending.withLock { state in
            let due = state.items.filter { $0.deadline <= now }
            state.items.removeAll { $0.deadline <= now }
            return due.sorted { ($0.deadline, $0.order) < ($1.deadline, $1.order) }
        }
        for item in due { item.work() }
        return due.count
    }

    /// Moves the clock and runs what became due.
    @discardableResult
    public func advance(by duration: Duration) -> Int {
        clock.advance(by: duration)
        return runDue()
    }
}
