import SextonCore

/// The values behind the gauges, read from the core's snapshots at scrape time.
public struct GaugeReadings: Sendable {
    public var staged = 0
    public var active = 0
    public var registryEntities = 0
    public var zombiesByTargetType: [String: Int] = [:]
    public var oldestZombieAge: Duration?
    public var cleanupBacklog = 0
    public var lastCleanupRun: WallTime?
    public var workerUp = false
    public var memoryPressure: Double?
    public var health: HealthReport?
    /// Whether the store answers (always for the in-process one).
    public var storeUp = true

    public init() {}
}
