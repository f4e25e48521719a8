import SextonCore

/// The `limits:` section: what one client may cost a listener.
public struct LimitsConfig: Sendable, Equatable {
    public var maxBodyBytes = 65_536
    public var maxConnections = 1024
    /// On the telemetry listener only: the API's one client is its own application, which may
    /// pool many connections (CONTRACT §5).
    public var maxConnectionsPerClient = 32
    public var connectionTimeout: Duration = .seconds(30)

    public init() {}

    func validate() -> [ConfigIssue] {
        var check = ConfigChecker(prefix: "limits")
        check.check("max_body_bytes", maxBodyBytes, in: 1024...16 * 1024 * 1024)
        check.check("max_connections", maxConnections, in: 1...100_000)
        check.check("max_connections_per_client", maxConnectionsPerClient, in: 1...100_000)
        check.check("connection_timeout", connectionTimeout, in: .seconds(1) ... .seconds(3600))
        return check.issues
    }
}

/// Where the memory pressure ratio comes from (CONTRACT §3.3).
public enum MemorySource: String, CaseIterable, Sendable {
    case auto, cgroup, meminfo
}

/// The `memory:` section; the paths let tests point the probe at fixture files.
public struct MemoryConfig: Sendable, Equatable {
    public var source = MemorySource.auto
    /// The directory holding cgroup v2 `memory.current`/`memory.max` or v1 `memory.usage_in_bytes`/`memory.limit_in_bytes`.
    public var cgroupRoot = "/sys/fs/cgroup"
    public var meminfo = "/proc/meminfo"

    public init() {}
}
