import Foundation

/// Durations counted in fixed log-scale buckets (four per power of two of nanoseconds, up to
/// about 70 s), so percentiles over a run of any length cost a fixed 1 KiB.
public struct LatencyHistogram: Sendable {
    private static let perOctave = 4.0
    private var counts = [Int](repeating: 0, count: 144)
    private var total: Int64 = 0
    public private(set) var count = 0

    public init() {}

    public mutating func record(_ duration: Duration) {
        let nanos = max(duration.nanoseconds, 1)
        let index = Int((log2(Double(nanos)) * Self.perOctave).rounded(.down))
        counts[min(max(index, 0), counts.count - 1)] += 1
        total += nanos
        count += 1
    }

    public var mean: Duration { count == 0 ? .zero : .nanoseconds(total / Int64(count)) }

    /// The upper bound of the bucket holding quantile `q` (within 19% of the true value).
    public func quantile(_ q: Double) -> Duration {
        guard count > 0 else { return .zero }
        let rank = Int((Double(count) * q).rounded(.up))
        var seen = 0
        for (index, n) in counts.enumerated() {
            seen += n
            if seen >= rank { return .nanoseconds(Int64(exp2(Double(index + 1) / Self.perOctave))) }
        }
        return .nanoseconds(Int64(exp2(Double(counts.count) / Self.perOctave)))
    }
}
