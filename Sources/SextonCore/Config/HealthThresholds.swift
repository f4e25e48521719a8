/// The `health:` section of CONTRACT §4.
public struct HealthThresholds: Sendable, Equatable {
    public var zombieCountWarn = 1000
    public var zombieCountFail = 10_000
    public var zombieAgeWarn: Duration = .seconds(24 * 3600)
    public var zombieAgeFail: Duration = .seconds(72 * 3600)
    public var memoryPressureWarn = 0.9
    public var memoryPressureFail = 0.97
    public var stagingWarnRatio = 0.8
    public var resolutionLatencyWarn: Duration = .milliseconds(100)
    /// The p99 of the shared store's round trips over the last minute above which `store` warns.
    public var storeLatencyWarn: Duration = .milliseconds(100)

    public init() {}

    public func validate() -> [ConfigIssue] {
        var check = ConfigChecker(prefix: "health")
        check.check("zombie_count_warn", zombieCountWarn, in: 0...100_000_000)
        check.check("zombie_count_fail", zombieCountFail, in: 0...100_000_000)
        check.check("zombie_age_warn", zombieAgeWarn, in: .zero ... .seconds(365 * 86_400))
        check.check("zombie_age_fail", zombieAgeFail, in: .zero ... .seconds(365 * 86_400))
        check.check("memory_pressure_warn", memoryPressureWarn, in: 0.0...1.0)
        check.check("memory_pressure_fail", memoryPressureFail, in: 0.0...1.0)
        check.check("staging_warn_ratio", stagingWarnRatio, in: 0.0...1.0)
        check.check("resolution_latency_warn", resolutionLatencyWarn, in: .zero ... .seconds(3600))
        check.check("store_latency_warn", storeLatencyWarn, in: .zero ... .seconds(3600))
        if zombieCountWarn > zombieCountFail {
            check.fail("zombie_count_warn", String(zombieCountWarn), allowed: "at most zombie_count_fail (\(zombieCountFail))")
        }
        if zombieAgeWarn > zombieAgeFail {
            check.fail("zombie_age_warn", zombieAgeWarn.prometheusText, allowed: "at most zombie_age_fail (\(zombieAgeFail.prometheusText))")
        }
        if memoryPressureWarn > memoryPressureFail {
            check.fail("memory_pressure_warn", String(memoryPressureWarn), allowed: "at most memory_pressure_fail (\(memoryPressureFail))")
        }
        return check.issues
    }
}
