/// The state of one health check (CONTRACT §4); the raw values are the `sexton_health_check_state` gauge.
public enum CheckState: Int, Comparable, Sendable, CaseIterable {
    case ok = 0, warn = 1, fail = 2

    public var name: String {
        switch self {
        case .ok: "ok"
        case .warn: "warn"
        case .fail: "fail"
        }
    }

    public static func < (lhs: CheckState, rhs: CheckState) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The overall status; the raw values are the `sexton_health_status` gauge.
public enum HealthStatus: Int, Sendable, CaseIterable {
    case healthy = 0, degraded = 1, unhealthy = 2

    public var name: String {
        switch self {
        case .healthy: "healthy"
        case .degraded: "degraded"
        case .unhealthy: "unhealthy"
        }
    }
}

public struct CheckResult: Sendable, Equatable {
    public var state: CheckState
    public var value: Double
    /// The facts the message tells: every `/metrics` scrape evaluates the checks, and
    /// formatting seven messages was most of an evaluation that only `/health` and the probes
    /// read.
    var detail: CheckDetail

    /// One sentence on the check's state and thresholds.
    public var message: String { detail.message }
}

/// The names of the checks, in the order reports list them.
public enum HealthCheck: String, CaseIterable, Sendable {
    case zombieCount = "zombie_count"
    case zombieAge = "zombie_age"
    case cleanupWorker = "cleanup_worker"
    case cleanupHandlers = "cleanup_handlers"
    case memoryPressure = "memory_pressure"
    case staging
    case resolutionLatency = "resolution_latency"
    case store
}

public struct HealthReport: Sendable, Equatable {
    public var status: HealthStatus
    public var checks: [HealthCheck: CheckResult]

    /// One sentence per check that is not ok, worst first.
    public var issues: [String] {
        HealthCheck.allCases.compactMap { check in checks[check].map { (check, $0) } }
            .filter { $0.1.state != .ok }
            .sorted { $0.1.state > $1.1.state }
            .map { "\($0.0.rawValue) \($0.1.state.name): \($0.1.message)" }
    }

    /// `unhealthy` on any fail or three or more warns, `degraded` on any warn, else `healthy`.
    public init(checks: [HealthCheck: CheckResult]) {
        self.checks = checks
        let warns = checks.values.filter { $0.state == .warn }.count
        if checks.values.contains(where: { $0.state == .fail }) || warns >= 3 {
            status = .unhealthy
        } else if warns > 0 {
            status = .degraded
        } else {
            status = .healthy
        }
    }
}
