import SextonCore
import Synchronization

/// Counts what the summary of `sexton simulate` reports beyond the core's snapshots: rejections
/// by reason and the operations per conflict.
final class SimulationTally: CoordinatorObserver {
    private let rejections = Mutex<[RejectReason: Int]>([:])
    private let conflicts = Mutex<(count: Int, operations: Int)>((0, 0))

    func rejected(stage: RejectionStage, reason: RejectReason) {
        rejections.withLock { $0[reason, default: 0] += 1 }
    }

    func conflictResolved(batchSize: Int, duration: Duration, detected: Bool) {
        guard detected else { return }
        conflicts.withLock {
            $0.count += 1
            $0.operations += batchSize
        }
    }

    var rejectionsByReason: [RejectReason: Int] { rejections.withLock { $0 } }

    var operationsPerConflict: Double {
        conflicts.withLock { $0.count == 0 ? 0 : Double($0.operations) / Double($0.count) }
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
