#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point on the monotonic clock, in nanoseconds. Every rule measures with it (staging windows,
/// grace periods, leases, retention, retry backoff), so a step of the wall clock (NTP, an
/// operator's `date -s`) never ends a grace period or a lease. What users read is converted to
/// wall time only when it is shown (`WallClock`).
public struct Timestamp: Comparable, Hashable, Sendable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public static func + (lhs: Timestamp, rhs: Duration) -> Timestamp {
        Timestamp(nanoseconds: lhs.nanoseconds &+ rhs.nanoseconds)
    }

    public static func - (lhs: Timestamp, rhs: Duration) -> Timestamp {
        Timestamp(nanoseconds: lhs.nanoseconds &- rhs.nanoseconds)
    }

    public static func - (lhs: Timestamp, rhs: Timestamp) -> Duration {
        .nanoseconds(lhs.nanoseconds &- rhs.nanoseconds)
    }
}

/// A point in wall-clock time (CLOCK_REALTIME), in nanoseconds since the Unix epoch: only for
/// the timestamps users read (RFC 3339 fields, `*_timestamp_seconds`).
public struct WallTime: Comparable, Hashable, Sendable {
    public var nanosecondsSinceEpoch: Int64

    public init(nanosecondsSinceEpoch: Int64) { self.nanosecondsSinceEpoch = nanosecondsSinceEpoch }

    public var secondsSinceEpoch: Double { Double(nanosecondsSinceEpoch) / 1e9 }

    public static func < (lhs: WallTime, rhs: WallTime) -> Bool { lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating at Int64's bounds.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled &+ attoseconds / 1_000_000_000
    }

    public var seconds: Double { Double(nanoseconds) / 1e9 }
}

/// Where the core gets the time from, so tests can drive windows, grace periods and leases
/// without sleeping, and step the wall clock on its own.
public protocol SextonClock: Sendable {
    /// The monotonic clock.
    func now() -> Timestamp
    /// The wall clock.
    func wallNow() -> WallTime
}

extension SextonClock {
    /// Converts monotonic instants to wall time as the wall clock reads now: an event `d` ago
    /// happened at `wallNow − d`, so after a step of the wall clock past events move with it.
    public var wallClock: WallClock {
        let mono = now()
        let wall = wallNow()
        return WallClock(offset: wall.nanosecondsSinceEpoch &- mono.nanoseconds)
    }
}

/// One reading of the offset between the wall and the monotonic clock, taken once per rendering
/// so every time in one answer is converted alike.
public struct WallClock: Sendable {
    let offset: Int64

    public func time(of instant: Timestamp) -> WallTime {
        WallTime(nanosecondsSinceEpoch: instant.nanoseconds &+ offset)
    }
}

/// The real clocks: CLOCK_BOOTTIME (the continuous clock `Task.sleep` uses, which goes on while
/// the machine is suspended) and CLOCK_REALTIME.
public struct SystemClock: SextonClock {
    public init() {}

    public func now() -> Timestamp { Timestamp(nanoseconds: Self.read(Self.monotonic)) }

    public func wallNow() -> WallTime { WallTime(nanosecondsSinceEpoch: Self.read(CLOCK_REALTIME)) }

    #if canImport(Glibc)
    private static let monotonic = CLOCK_BOOTTIME
    #else
    private static let monotonic = CLOCK_MONOTONIC
    #endif

    private static func read(_ id: clockid_t) -> Int64 {
        var spec = timespec()
        clock_gettime(id, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
