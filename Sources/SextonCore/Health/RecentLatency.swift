import Synchronization

/// A sliding one-minute histogram of conflict resolution times, for the `resolution_latency`
/// check (p99 of the last minute). Sixty one-second slots of bucket counts; a slot is cleared
/// when the clock comes round to it again, so memory and cost stay constant.
public final class RecentLatency: Sendable {
    /// Upper bounds in nanoseconds: 1µs to 10s, roughly ×2.5 apart.
    static let bounds: [Int64] = [
        1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000,
        5_000_000, 10_000_000, 25_000_000, 50_000_000, 100_000_000, 250_000_000, 500_000_000,
        1_000_000_000, 10_000_000_000, .max,
    ]
    private static let slots = 60

    private struct Window {
        var second = [Int64](repeating: -1, count: RecentLatency.slots)
        var counts = [[Int]](repeating: [Int](repeating: 0, count: RecentLatency.bounds.count), count: RecentLatency.slots)
    }

    private let window = Mutex(Window())

    public init() {}

    public func record(_ duration: Duration, at now: Timestamp) {
        let second = now.nanoseconds / 1_000_000_000
        let slot = Int(second % Int64(Self.slots))
        let nanos = duration.nanoseconds
        let bucket = Self.bounds.firstIndex { nanos <= $0 } ?? Self.bounds.count - 1
        window.withLock { window in
            if window.second[slot] != second {
                window.second[slot] = second
                for i in window.counts[slot].indices { window.counts[slot][i] = 0 }
            }
            window.counts[slot][bucket] += 1
        }
    }

    /// The upper bound of the bucket holding the p-quantile of the last 60 seconds, or nil when
    /// nothing was recorded.
    public func quantile(_ q: Double, at now: Timestamp) -> Duration? {
        let second = now.nanoseconds / 1_000_000_000
        let totals = window.withLock { window in
            var totals = [Int](repeating: 0, count: Self.bounds.count)
            for slot in 0..<Self.slots where window.second[slot] > second - Int64(Self.slots) && window.second[slot] <= second {
                for i in totals.indices { totals[i] += window.counts[slot][i] }
            }
            return totals
        }
        let count = totals.reduce(0, +)
        guard count > 0 else { return nil }
        let rank = Int((q * Double(count)).rounded(.up))
        var seen = 0
        for (i, n) in totals.enumerated() {
            seen += n
            if seen >= rank { return .nanoseconds(Self.bounds[i] == .max ? Self.bounds[i - 1] : Self.bounds[i]) }
        }
        return nil
    }
}
