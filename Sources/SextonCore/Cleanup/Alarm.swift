import Synchronization

/// The sleep of the engine's schedule loop, which work due sooner cuts short: a handler retry
/// due in a second must not wait for a pass a minute away (CONTRACT §3.3: retries are timed
/// from the failure).
final class Alarm: Sendable {
    private struct State {
        var waiter: CheckedContinuation<Void, Never>?
        /// The soonest time rung since the last sleep began; honoured by the next sleep.
        var rungFor: Int64 = .max
    }

    private let state = Mutex(State())
    /// When the current sleep ends; .min while awake, so every ring is recorded.
    private let wakeAt = Atomic<Int64>(.min)

    /// Asks for a wake-up at `time` at the latest. Cheap when the loop already wakes sooner.
    func ring(at time: Timestamp) {
        let current = wakeAt.load(ordering: .acquiring)
        guard current == .min || time.nanoseconds < current else { return }
        let waiter = state.withLock { s in
            s.rungFor = min(s.rungFor, time.nanoseconds)
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// Sleeps until `deadline` on `clock`, or until a ring asks for sooner; returns at once when
    /// the task is cancelled.
    func sleep(until deadline: Timestamp, clock: any SextonClock) async {
        let target = state.withLock { s in
            defer { s.rungFor = .max }
            return min(deadline.nanoseconds, s.rungFor)
        }
        let delay = Timestamp(nanoseconds: target) - clock.now()
        guard delay > .zero, !Task.isCancelled else { return }
        wakeAt.store(target, ordering: .releasing)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: delay) }
            group.addTask { await self.waitForRing(before: target) }
            await group.next()
            group.cancelAll()
        }
        wakeAt.store(.min, ordering: .releasing)
    }

    private func waitForRing(before target: Int64) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if Task.isCancelled || s.rungFor < target { return true }
                    s.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { s in
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume()
        }
    }
}
