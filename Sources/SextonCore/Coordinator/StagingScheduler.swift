import DequeModule
import Synchronization

/// Runs the resolution of a staging window at its deadline. The coordinator calls `schedule`
/// outside its locks, once per window.
public protocol StagingScheduler: Sendable {
    func schedule(at deadline: Timestamp, _ work: @escaping @Sendable () -> Void)
}

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

/// The production scheduler: one loop (`run()`, a service of the sidecar) that sleeps until the
/// next deadline on the monotonic clock and resolves what is due. Deadlines are served in the
/// order they were scheduled: the coordinator schedules `now + staging_window` with one window
/// length and a monotonic clock, so a later call never names an earlier deadline, and a new
/// deadline only has to wake the loop when it was idle.
public final class StagingTimers: StagingScheduler {
    private struct Pending {
        var deadline: Timestamp
        var work: @Sendable () -> Void
    }

    private let clock: any SextonClock
    private let pending = Mutex(Deque<Pending>())
    private let wakeUp = WakeUp()

    public init(clock: any SextonClock) { self.clock = clock }

    public func schedule(at deadline: Timestamp, _ work: @escaping @Sendable () -> Void) {
        let wasIdle = pending.withLock { queue in
            defer { queue.append(Pending(deadline: deadline, work: work)) }
            return queue.isEmpty
        }
        if wasIdle { wakeUp.ring() }
    }

    /// Resolves windows at their deadlines until the calling task is cancelled; then runs what
    /// is left at once, so no submission is left waiting.
    public func run() async {
        while !Task.isCancelled {
            guard let deadline = pending.withLock({ $0.first?.deadline }) else {
                await wakeUp.nextRing()
                continue
            }
            let delay = deadline - clock.now()
            if delay > .zero {
                try? await Task.sleep(for: delay)
                continue
            }
            runDue(at: clock.now())
        }
        runDue(at: Timestamp(nanoseconds: .max))
    }

    private func runDue(at now: Timestamp) {
        while let item = pending.withLock({ q in q.first.flatMap { $0.deadline <= now ? q.popFirst() : nil } }) {
            item.work()
        }
    }
}
