import HeapModule
import SextonCore

/// The reference stress workload, in-process: batches of 3–8 operations on one of `targets`
/// targets, mixed priorities, and an application that runs each batch's winner as the reference
/// does (1–5 ms of work: start, one heartbeat, complete), fails some and vanishes on some (their
/// leases expire unless a stronger batch preempts them after the grace period).
///
/// Everything happens on a schedule: batches every `size / scheduleRate` seconds and the
/// application's steps at fixed delays after them, all in the workload's own time. The schedule
/// is taken in order, in slices, interleaving submissions with the application's steps, as far
/// as `speed` × the real time elapsed allows: at `speed` 1 on the real clock (the demo) it is
/// the reference itself; `simulate` replays the same schedule on a clock it moves (`advance`),
/// `speed` times faster, so the application keeps the reference's shape at any rate and an
/// overloaded run falls behind its schedule rather than changing what it measures.
public final class Workload: @unchecked Sendable {
    public struct Settings: Sendable {
        public var targets = 5
        /// Operations per second of the workload's own time.
        public var scheduleRate = 100.0
        /// How much faster than real time the schedule runs (1 on the real clock).
        public var speed = 1.0
        public var seed: UInt64 = 1
        public init() {}
    }

    /// What the run reached, for the summary.
    public struct Report: Sendable {
        /// How far the schedule was behind real time × speed at the end, in real time.
        public var behind: Duration = .zero
        /// Each batch's resolution as the application saw it (the call's real duration).
        public var resolutions = LatencyHistogram()
    }

    /// What the application does with an admitted operation.
    enum Fate: CaseIterable {
        case succeed, fail, vanish
    }

    private enum Action {
        case start(String, Fate)
        case heartbeat(String, Fate)
        case complete(String, CompletionOutcome)
    }

    private struct Scheduled: Comparable {
        var due: Int64
        var order: Int
        var action: Action
        static func < (a: Scheduled, b: Scheduled) -> Bool { (a.due, a.order) < (b.due, b.order) }
        static func == (a: Scheduled, b: Scheduled) -> Bool { a.due == b.due && a.order == b.order }
    }

    /// Schedule entries taken between two checks of the deadline and of the timed work.
    static let slice = 512

    private let coordinator: Coordinator
    private let clock: any SextonClock
    private let advance: (@Sendable (Timestamp) -> Void)?
    private let settings: Settings
    private var random: SplitMix64
    private var queue = Heap<Scheduled>()
    private var order = 0
    private var sequence = 0
    /// Rejected ids, so some submissions can be retries of them (retry_of, retry_count).
    private var recentRejections: [String] = []
    private var report = Report()

    /// `advance` moves `clock` to each step's time before it is taken (a clock the caller owns);
    /// nil when `clock` is the real one.
    public init(
        coordinator: Coordinator, clock: any SextonClock, advance: (@Sendable (Timestamp) -> Void)? = nil,
        settings: Settings
    ) {
        self.coordinator = coordinator
        self.clock = clock
        self.advance = advance
        self.settings = settings
        random = SplitMix64(seed: settings.seed)
    }

    /// Runs until `duration` of real time has passed (nil: until the task is cancelled);
    /// `afterSlice` runs between slices (timed work on a clock the caller moves).
    public func run(for duration: Duration?, afterSlice: () async -> Void = {}) async -> Report {
        let origin = clock.now()
        let started = ContinuousClock.now
        let end = duration.map { started + $0 }
        var nextBatch = origin.nanoseconds
        var horizon = origin.nanoseconds
        while !Task.isCancelled {
            let now = ContinuousClock.now
            if let end, now >= end { break }
            horizon = origin.nanoseconds &+ Int64(Double((now - started).nanoseconds) * settings.speed)
            var taken = 0
            while taken < Self.slice {
                let nextStep = queue.min?.due ?? .max
                let due = min(nextBatch, nextStep)
                guard due <= horizon else { break }
                advance?(Timestamp(nanoseconds: due))
                if nextBatch <= nextStep {
                    let size = submitBatch(at: Timestamp(nanoseconds: due))
                    nextBatch = due &+ Int64(Double(size) / settings.scheduleRate * 1e9)
                } else {
                    perform(queue.removeMin().action, at: Timestamp(nanoseconds: due))
                }
                taken += 1
            }
            await afterSlice()
            if taken < Self.slice {
                try? await Task.sleep(for: .milliseconds(1))
            } else {
                await Task.yield()
            }
        }
        let lag = horizon &- min(nextBatch, queue.min?.due ?? .max)
        report.behind = .nanoseconds(Int64(Double(max(lag, 0)) / settings.speed))
        return report
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

    private func submitBatch(at now: Timestamp) -> Int {
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
        let called = ContinuousClock.now
        let results = coordinator.submitBatch(requests)
        report.resolutions.record(ContinuousClock.now - called)
        for (request, result) in zip(requests, results) {
            guard case .success(let decision) = result else { continue }
            if decision.isAdmitted {
                let fate = Fate.allCases[weightedFate()]
                schedule(after: .microseconds(random.below(1000)), .start(decision.id, fate), now: now)
            } else if recentRejections.count < 64 {
                recentRejections.append(request.id!)
            }
        }
        return size
    }

    /// 84% succeed, 15% fail, 1% vanish (a vanished winner holds its target until a stronger batch
    /// preempts it or its lease runs out).
    private func weightedFate() -> Int {
        let roll = random.below(100)
        return roll < 84 ? 0 : roll < 99 ? 1 : 2
    }

    private func schedule(after delay: Duration, _ action: Action, now: Timestamp) {
        order += 1
        queue.insert(Scheduled(due: (now + delay).nanoseconds, order: order, action: action))
    }

    /// 1–`limit` ms, in microseconds.
    private func milliseconds(upTo limit: Int) -> Duration { .microseconds(1000 + random.below(1000 * (limit - 1))) }

    private func perform(_ action: Action, at now: Timestamp) {
        // A refused transition means the operation was preempted or expired: the app drops it.
        do {
            switch action {
            case .start(let id, let fate):
                if fate == .vanish { return }
                try coordinator.start(id)
                schedule(after: milliseconds(upTo: 2), .heartbeat(id, fate), now: now)
            case .heartbeat(let id, let fate):
                try coordinator.heartbeat(id)
                schedule(after: milliseconds(upTo: 3), .complete(id, fate == .fail ? .failed : .succeeded), now: now)
            case .complete(let id, let outcome):
                try coordinator.complete(id, outcome: outcome, error: outcome == .failed ? "simulated failure" : nil)
            }
        } catch {}
    }
}

extension SplitMix64 {
    mutating func below(_ bound: Int) -> Int { Int.random(in: 0..<bound, using: &self) }
}
