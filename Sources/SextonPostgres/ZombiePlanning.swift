import SextonCore
import Synchronization

/// The core's `CleanupPlanner` with what its adaptive rule reads on the shared store: this
/// replica's last memory pressure sample and the store-wide zombie count as last refreshed.
/// A zombie is planned once, in the transaction that creates it.
public final class ZombiePlanning: Sendable {
    public let planner: CleanupPlanner
    private let inputs = Mutex<(memoryPressure: Double?, zombieCount: Int)>((nil, 0))

    public init(_ planner: CleanupPlanner) {
        self.planner = planner
    }

    public var memoryPressure: Double? { inputs.withLock { $0.memoryPressure } }
    public var zombieCount: Int { inputs.withLock { $0.zombieCount } }

    public func update(memoryPressure: Double?) { inputs.withLock { $0.memoryPressure = memoryPressure } }
    public func update(zombieCount: Int) { inputs.withLock { $0.zombieCount = zombieCount } }

    /// The plan of a zombie being created now.
    func plan(_ zombie: Zombie) -> ZombiePlan {
        let (pressure, count) = inputs.withLock { ($0.memoryPressure, $0.zombieCount) }
        return planner.plan(zombie, memoryPressure: pressure, zombieCount: count + 1)
    }
}
