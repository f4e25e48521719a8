import Synchronization

/// The sleep of the engine's schedule loop, which work due sooner cuts short: a handler retry
/// due in a second must not wait for a pass a minute away (CONTRACT §3.3: retries are timed
/// from the failure).
public final class Alarm: Sendable {
    /// The soonest time rung since the last sleep began; honoured by the next sleep.
    private let rungFor = Mutex<Int64>(.max)
    /// When the current sleep ends; .min while awake, so every ring is recorded.
    private let wakeAt = Atomic<Int64>(.min)
    private let wakeUp = WakeUp()

    public init() {}

    /// Asks for a wake-up at `time` at the latest. Cheap when the loop already wakes sooner.
    public func ring(at time: Timestamp) {
        let current = wakeAt.load(ordering: .acquiring)
        guard current == .min || time.nanoseconds < current else { return }
        rungFor.withLock { $0 = min($0, time.nanoseconds) }
        wakeUp.ring()
    }

    /// Sleeps until `deadline` on `clock`, or until a ring asks for sooner; returns at once when
    /// the task is cancelled.
    public func sleep(until deadline: Timestamp, clock: any SextonClock) async {
        let target = rungFor.withLock { rung in
            defer { rung = .max }
            return min(deadline.nanoseconds, rung)
        }
        let delay = Timestamp(nanoseconds: target) - clock.now()
        guard delay > .zero, !Task.isCancelled else { return }
        wakeAt.store(target, ordering: .releasing)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: delay) }
            group.addTask { await self.wakeUp.nextRing() }
            await group.next()
            group.cancelAll()
        }
        wakeAt.store(.min, ordering: .releasing)
    }
}
