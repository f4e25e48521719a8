/// The cleanup strategies of CONTRACT §3.1.
public enum CleanupStrategy: String, CaseIterable, Sendable, Codable {
    case none, immediate, deferred, lazy, hybrid, custom
}

/// Handler retries (`retry:`): exponential backoff.
public struct RetryPolicy: Sendable, Equatable, Codable {
    public var maxAttempts = 3
    public var initialDelay: Duration = .seconds(1)
    public var multiplier = 2.0

    public init() {}

    /// The wait before attempt `attempt + 1`, after `attempt` failures (attempt ≥ 1).
    public func delay(afterFailures attempt: Int) -> Duration {
        var delay = initialDelay.seconds
        for _ in 1..<max(attempt, 1) { delay *= multiplier }
        return .nanoseconds(Int64(min(delay, 86_400) * 1e9))
    }

    public func validate(prefix: String) -> [ConfigIssue] {
        var check = ConfigChecker(prefix: prefix)
        check.check("max_attempts", maxAttempts, in: 1...100)
        check.check("initial_delay", initialDelay, in: .milliseconds(1) ... .seconds(3600))
        check.check("multiplier", multiplier, in: 1.0...10.0)
        return check.issues
    }
}

/// The cleanup keys of CONTRACT §3.4 with their defaults: the global `cleanup:` section, and
/// the result of applying a policy and a per-operation override to it.
public struct CleanupConfig: Sendable, Equatable {
    public var strategy: CleanupStrategy = .hybrid
    public var retention: Duration = .seconds(30 * 60)
    public var maxZombieAge: Duration = .seconds(3600)
    public var checkInterval: Duration = .seconds(60)
    public var aggressiveOnMemoryPressure = true
    public var memoryPressureThreshold = 0.8
    public var forceCleanupThreshold = 1000
    public var maxZombiesPerTarget = 100
    /// Priority values (1–10); a level name in the configuration stands for its whole band.
    public var immediatePriorities: Set<Int> = [10]
    public var resourceHeavyOperations: Set<String> = []
    public var debugImportantOperations: Set<String> = []
    public var debugMode = false
    public var dryRun = false
    public var customHandler: String?
    public var retry = RetryPolicy()

    public init() {}

    /// `prefix` is where these keys live (`cleanup`, `policies.<op_type>`, `cleanup` of an
    /// operation), so errors name the key as the user wrote it.
    public func validate(prefix: String = "cleanup") -> [ConfigIssue] {
        var check = ConfigChecker(prefix: prefix)
        check.check("retention", retention, in: .zero ... .seconds(86_400))
        check.check("max_zombie_age", maxZombieAge, in: .seconds(1) ... .seconds(30 * 86_400))
        check.check("check_interval", checkInterval, in: .seconds(10) ... .seconds(3600))
        check.check("memory_pressure_threshold", memoryPressureThreshold, in: 0.1...1.0)
        check.check("force_cleanup_threshold", forceCleanupThreshold, in: 100...100_000)
        check.check("max_zombies_per_target", maxZombiesPerTarget, in: 1...10_000)
        for value in immediatePriorities.sorted() where !Priority.range.contains(value) {
            check.fail("immediate_priorities", String(value), allowed: "priorities 1–10 or level names")
        }
        if strategy == .deferred && retention == .zero {
            check.fail("retention", "0s", allowed: "more than 0s when strategy is deferred")
        }
        if strategy == .custom && (customHandler ?? "").isEmpty {
            check.fail("custom_handler", "", allowed: "a handler name from handlers: when strategy is custom")
        }
        check.absorb(retry.validate(prefix: "\(prefix).retry"))
        return check.issues
    }

    /// This configuration with the keys `override` sets replaced.
    public func applying(_ override: CleanupOverride?) -> CleanupConfig {
        guard let override else { return self }
        var result = self
        if let v = override.strategy { result.strategy = v }
        if let v = override.retention { result.retention = v }
        if let v = override.maxZombieAge { result.maxZombieAge = v }
        if let v = override.immediatePriorities { result.immediatePriorities = v }
        if let v = override.resourceHeavyOperations { result.resourceHeavyOperations = v }
        if let v = override.debugImportantOperations { result.debugImportantOperations = v }
        if let v = override.debugMode { result.debugMode = v }
        if let v = override.customHandler { result.customHandler = v }
        if let v = override.retry { result.retry = v }
        return result
    }
}
