/// The `coordinator:` section of CONTRACT §7, with its defaults.
public struct CoordinatorConfig: Sendable, Equatable {
    public var stagingWindow: Duration = .milliseconds(5)
    public var gracePeriod: Duration = .milliseconds(200)
    public var protectExecuting = false
    /// Zero disables leases.
    public var leaseTimeout: Duration = .seconds(30)
    public var maxOpsPerTarget = 20
    public var maxStagingSize = 10_000
    public var historyRetention: Duration = .seconds(60)
    /// Ended operations remembered at most; past it the oldest are forgotten first.
    public var maxHistory = 100_000
    /// Targets remembered at most; past it the longest-idle is forgotten first.
    public var maxTargets = 1_000_000

    public init() {}

    public func validate() -> [ConfigIssue] {
        var check = ConfigChecker(prefix: "coordinator")
        check.check("staging_window", stagingWindow, in: .zero ... .seconds(10))
        check.check("grace_period", gracePeriod, in: .zero ... .seconds(86_400))
        check.check("lease_timeout", leaseTimeout, in: .zero ... .seconds(86_400))
        check.check("max_ops_per_target", maxOpsPerTarget, in: 1...100_000)
        check.check("max_staging_size", maxStagingSize, in: 1...10_000_000)
        check.check("history_retention", historyRetention, in: .zero ... .seconds(86_400))
        check.check("max_history", maxHistory, in: 1000...100_000_000)
        check.check("max_targets", maxTargets, in: 1000...1_000_000_000)
        if maxOpsPerTarget > maxStagingSize {
            check.fail("max_ops_per_target", String(maxOpsPerTarget), allowed: "at most max_staging_size (\(maxStagingSize))")
        }
        return check.issues
    }
}
