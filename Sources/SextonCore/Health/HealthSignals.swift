/// The health checks' inputs that are events rather than state: the last minute of conflict
/// resolution times (`resolution_latency`) and of the store's request rounds (`store`). It hears
/// them as an observer beside the metrics, so it is as cheap: a lock and an add.
public final class HealthSignals: CoordinatorObserver, StoreObserver {
    public let resolutionLatency = RecentLatency()
    /// Request rounds only: the check judges what requests wait for, not the background's
    /// rounds of several statements (sweep, cleanup).
    public let storeLatency = RecentLatency()
    private let clock: any SextonClock

    public init(clock: any SextonClock) {
        self.clock = clock
    }

    public func conflictResolved(batchSize: Int, duration: Duration, detected: Bool) {
        if detected { resolutionLatency.record(duration, at: clock.now()) }
    }

    public func storeRound(_ operation: StoreOperation, duration: Duration, failed: Bool) {
        if operation != .sweep && operation != .cleanup { storeLatency.record(duration, at: clock.now()) }
    }
}
