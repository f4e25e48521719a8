import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in wall-clock time, in nanoseconds since the Unix epoch.
public struct Timestamp: Comparable, Hashable, Sendable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public var secondsSinceEpoch: Double { Double(nanoseconds) / 1e9 }

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
/// without sleeping.
public protocol SextonClock: Sendable {
    func now() -> Timestamp
}

/// The real clock (CLOCK_REALTIME).
public struct SystemClock: SextonClock {
    public init() {}

    public func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(nanoseconds: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }
}

/// A clock that moves only when told to.
public final class ManualClock: SextonClock {
    private let current: Atomic<Int64>

    public init(_ start: Timestamp = Timestamp(nanoseconds: 1_700_000_000_000_000_000)) {
        current = Atomic(start.nanoseconds)
    }

    public func now() -> Timestamp { Timestamp(nanoseconds: current.load(ordering: .acquiring)) }

    public func advance(by duration: Duration) {
        current.add(duration.nanoseconds, ordering: .acquiringAndReleasing)
    }
}
