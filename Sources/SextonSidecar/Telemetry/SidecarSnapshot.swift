import SextonCore
import SextonTelemetry
import Synchronization

/// Where the process is in its life: `/readyz` is 503 outside `serving`.
public enum Phase: Int, Sendable {
    case starting = 0, serving, shuttingDown
}

/// Everything the telemetry listener shows, taken at one moment from the core's snapshots.
public struct SidecarSnapshot: Sendable {
    public var phase: Phase
    public var workersAlive: Bool
    public var readings: GaugeReadings
    public var health: HealthReport
    public var failedHandlers: [String]

    public var zombieTotal: Int { readings.zombiesByTargetType.values.reduce(0, +) }
}
