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
