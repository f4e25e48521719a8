import HeapModule
import SextonCore
import Synchronization

/// The reference stress workload, in-process: batches of 3–8 operations on one of `targets`
/// targets at `rate` operations per second, mixed priorities, and an application that starts,
/// heartbeats, completes, fails some and vanishes on some (their leases expire).
public final class Workload: @unchecked Sendable {
    public struct Settings: Sendable {
        public var targets = 5
        public var rate = 100.0
        public var seed: UInt64 = 1
        public init() {}
    }

    /// What the application does with an admitted operation.
    enum Fate: CaseIterable {
        case succeed, fail, vanish, runLong
    }

    private enum Action {
        case start(String, Fate)
        case heartbeat(String, Fate, remaining: Int)
        case complete(String, CompletionOutcome)
    }

    private struct Scheduled: Comparable {
        var due: Int64
        var order: Int
        var action: Action
        static func < (a: Scheduled, b: Scheduled) -> Bool { (a.due, a.order) < (b.due, b.order) }
        static func == (a: Scheduled, b: Scheduled) -> Bool { a.due == b.due && a.order == b.order }
    }

    private let coordinator: Coordinator
    private let clock: any SextonClock
    private let settings: Settings
    private var random: SplitMix64
    private var queue = Heap<Scheduled>()
    private var order = 0
    private var sequence = 0
    /// Rejected ids, so some submissions can be retries of them (retry_of, retry_count).
    private var recentRejections: [String] = []

    public init(coordinator: Coordinator, clock: any SextonClock, settings: Settings) {
        self.coordinator = coordinator
        self.clock = clock
        self.settings = settings
        random = SplitMix64(seed: settings.seed)
    }

    /// Runs until `duration` has passed (nil: until the task is cancelled).
    public func run(for duration: Duration?) async {
        let started = clock.now()
        let end = duration.map { started + $0 }
        var submitted = 0.0
        while !Task.isCancelled {
            let now = clock.now()
            if let end, now >= end { break }
            let owed = (now - started).seconds * settings.rate
            while submitted < owed {
                submitted += Double(submitBatch(now: now))
            }
            runDue(now: now)
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    private func nextID() -> String {
        sequence += 1
        return "sim-\(settings.seed)-\(sequence)"
    }

    private func priority() -> Priority {
        // Mostly normal, a tail of high and critical, some background work.
        let roll = random.below(100)
        let value = roll < 10 ? 1 : roll < 30 ? 2 + random.below(3) : roll < 75 ? 5 + random.below(3) : roll < 95 ? 8 + random.below(2) : 10
        return Priority(value)!
    }

    private func submitBatch(now: Timestamp) -> Int {
        let size = 3 + random.below(6)
        let target = "target-\(random.below(settings.targets))"
        let targetType = ["user", "order", "inventory"][random.below(3)]
        let requests = (0..<size).map { _ -> OperationRequest in
            var request = OperationRequest(
                id: nextID(), target: target, targetType: targetType,
                opType: ["update", "sync", "reindex"][random.below(3)], priority: priority())
            if !recentRejections.isEmpty && random.below(10) == 0 {
                request.retryOf = recentRejections.removeLast()
                request.retryCount = 1
            }
            return request
        }
        for (request, result) in zip(requests, coordinator.submitBatch(requests)) {
            guard case .success(let decision) = result else { continue }
            if decision.isAdmitted {
                let fate = Fate.allCases[weightedFate()]
                schedule(after: 1 + random.below(20), .start(decision.id, fate), now: now)
            } else if recentRejections.count < 64 {
                recentRejections.append(request.id!)
            }
        }
        return size
    }

    /// 65% succeed, 10% fail, 5% vanish, 20% run long enough to meet a stronger batch.
    private func weightedFate() -> Int {
        let roll = random.below(100)
        return roll < 65 ? 0 : roll < 75 ? 1 : roll < 80 ? 2 : 3
    }

    private func schedule(after milliseconds: Int, _ action: Action, now: Timestamp) {
        order += 1
        queue.insert(Scheduled(due: (now + .milliseconds(milliseconds)).nanoseconds, order: order, action: action))
    }

    private func runDue(now: Timestamp) {
        while let next = queue.min, next.due <= now.nanoseconds {
            queue.removeMin()
            perform(next.action, now: now)
        }
    }

    private func perform(_ action: Action, now: Timestamp) {
        // A refused transition means the operation was preempted or expired: the app drops it.
        do {
            switch action {
            case .start(let id, let fate):
                if fate == .vanish { return }
                try coordinator.start(id)
                let beats = fate == .runLong ? 2 + random.below(8) : 1
                schedule(after: 20 + random.below(80), .heartbeat(id, fate, remaining: beats), now: now)
            case .heartbeat(let id, let fate, let remaining):
                try coordinator.heartbeat(id)
                if remaining > 1 {
                    schedule(after: 100 + random.below(200), .heartbeat(id, fate, remaining: remaining - 1), now: now)
                } else {
                    schedule(after: 5 + random.below(50), .complete(id, fate == .fail ? .failed : .succeeded), now: now)
                }
            case .complete(let id, let outcome):
                try coordinator.complete(id, outcome: outcome, error: outcome == .failed ? "simulated failure" : nil)
            }
        } catch {}
    }
}

extension SplitMix64 {
    mutating func below(_ bound: Int) -> Int { Int.random(in: 0..<bound, using: &self) }
}
