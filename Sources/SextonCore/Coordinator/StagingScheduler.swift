import DequeModule
import Synchronization

/// Runs the resolution of a staging window at its deadline. The coordinator calls `schedule`
/// outside its locks, once per window.
public protocol StagingScheduler: Sendable {
    func schedule(at deadline: Timestamp, _ work: @escaping @Sendable () -> Void)
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
