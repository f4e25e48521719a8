import Foundation
import SextonCore
import Synchronization

/// A thread that keeps the coordinator's timed work going: lease expiry, history retention.
/// It sleeps until the coordinator's next deadline, at most `maxSleep`, so new deadlines are
/// never missed by more than that.
final class MaintenanceLoop: Sendable {
    private let coordinator: Coordinator
    private let clock: any SextonClock
    private let stopping = Atomic(false)
    private let alive = Atomic(false)
    private let finished = DispatchSemaphore(value: 0)
    static let maxSleep: Duration = .milliseconds(50)
    static let budget = 4096

    init(coordinator: Coordinator, clock: any SextonClock) {
        self.coordinator = coordinator
        self.clock = clock
    }

    var isAlive: Bool { alive.load(ordering: .relaxed) }

    func start() {
        alive.store(true, ordering: .relaxed)
        let thread = Thread { [self] in
            while !stopping.load(ordering: .relaxed) {
                // A full budget means more is due at once: go round again without sleeping.
                if coordinator.maintain(budget: Self.budget) == Self.budget { continue }
                var sleep = Self.maxSleep
                if let deadline = coordinator.nextMaintenanceDeadline {
                    sleep = min(sleep, max(.milliseconds(1), deadline - clock.now()))
                }
                Thread.sleep(forTimeInterval: sleep.seconds)
            }
            alive.store(false, ordering: .relaxed)
            finished.signal()
        }
        thread.name = "sexton-maintenance"
        thread.start()
    }

    func stop() {
        guard alive.load(ordering: .relaxed) else { return }
        stopping.store(true, ordering: .relaxed)
        finished.wait()
    }
}
