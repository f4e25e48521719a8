import SextonCore
import Synchronization

/// Counts what the summary of `sexton simulate` reports beyond the core's snapshots: rejections
/// by reason and every conflict's resolution time.
final class SimulationTally: CoordinatorObserver {
    private let rejections = Mutex<[RejectReason: Int]>([:])
    private let resolutions = Mutex<(durations: [Int64], sizes: Int)>(([], 0))

    func rejected(stage: RejectionStage, reason: RejectReason) {
        rejections.withLock { $0[reason, default: 0] += 1 }
    }

    func conflictResolved(batchSize: Int, duration: Duration, detected: Bool) {
        guard detected else { return }
        resolutions.withLock {
            $0.durations.append(duration.nanoseconds)
            $0.sizes += batchSize
        }
    }

    var rejectionsByReason: [RejectReason: Int] { rejections.withLock { $0 } }

    /// Count, mean, p99 of conflict resolution times, and the mean operations per conflict.
    var conflictStatistics: (count: Int, mean: Duration, p99: Duration, operationsPerConflict: Double) {
        let (durations, sizes) = resolutions.withLock { ($0.durations, $0.sizes) }
        guard !durations.isEmpty else { return (0, .zero, .zero, 0) }
        let sorted = durations.sorted()
        let p99 = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)]
        return (
            sorted.count, .nanoseconds(sorted.reduce(0, +) / Int64(sorted.count)), .nanoseconds(p99),
            Double(sizes) / Double(sorted.count)
        )
    }
}

/// Several coordinator observers as one.
struct CoordinatorObservers: CoordinatorObserver {
    let all: [any CoordinatorObserver]

    func submitted(_ band: PriorityBand) { for o in all { o.submitted(band) } }
    func admitted() { for o in all { o.admitted() } }
    func rejected(stage: RejectionStage, reason: RejectReason) { for o in all { o.rejected(stage: stage, reason: reason) } }
    func conflictResolved(batchSize: Int, duration: Duration, detected: Bool) {
        for o in all { o.conflictResolved(batchSize: batchSize, duration: duration, detected: detected) }
    }
    func gracePeriodSave() { for o in all { o.gracePeriodSave() } }
    func preempted() { for o in all { o.preempted() } }
    func completed(_ outcome: CompletionOutcome) { for o in all { o.completed(outcome) } }
    func zombieCreated(_ reason: ZombieReason) { for o in all { o.zombieCreated(reason) } }
    func entityRemoved() { for o in all { o.entityRemoved() } }
    func historyEvicted(_ count: Int) { for o in all { o.historyEvicted(count) } }
    func targetEvicted() { for o in all { o.targetEvicted() } }
}
