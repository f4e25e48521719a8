import Prometheus
import Testing
@testable import SextonTelemetry

/// `HistogramFamily` is written for the hot path instead of swift-prometheus's histogram; what
/// it writes must be what swift-prometheus writes for the same observations.
@Suite struct HistogramFamilyTests {
    static let buckets: [Duration] = [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(100)]
    /// Below the first bound, on bounds (a bucket's bound is inclusive), between, above all.
    static let observations: [Duration] = [
        .zero, .microseconds(300), .milliseconds(1), .milliseconds(3), .milliseconds(5), .milliseconds(5),
        .microseconds(5001), .milliseconds(99), .milliseconds(100), .milliseconds(250), .seconds(3),
    ]

    func text(_ family: HistogramFamily<Duration>) -> String {
        var buffer: [UInt8] = []
        family.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    @Test func anUnlabelledFamilyWritesWhatSwiftPrometheusWrites() {
        let registry = PrometheusCollectorRegistry()
        let reference = registry.makeDurationHistogram(name: "h_seconds", buckets: Self.buckets, help: "A test histogram.")
        let family = HistogramFamily(name: "h_seconds", help: "A test histogram.", buckets: Self.buckets)
        for value in Self.observations {
            reference.record(value)
            family[0].record(value)
        }
        #expect(text(family) == registry.emitToString())
    }

    @Test func aLabelledSeriesWritesWhatSwiftPrometheusWritesAndCountsCumulatively() {
        let registry = PrometheusCollectorRegistry()
        let labels = [("strategy", "lazy \"quoted\"")]
        let reference = registry.makeDurationHistogram(name: "h_seconds", labels: labels, buckets: Self.buckets, help: "Labelled.")
        let family = HistogramFamily(name: "h_seconds", help: "Labelled.", buckets: Self.buckets, labelSets: [labels])
        for value in Self.observations {
            reference.record(value)
            family[0].record(value)
        }
        let written = text(family)
        #expect(written == registry.emitToString())
        // Cumulative counts by bound: ≤1ms 3, ≤5ms 6, ≤10ms 7, ≤100ms 9, +Inf 11.
        let counts = written.split(separator: "\n").filter { $0.contains("_bucket") }.map { $0.split(separator: " ").last! }
        #expect(counts == ["3", "6", "7", "9", "11"])
        #expect(written.contains("h_seconds_count{strategy=\"lazy \\\"quoted\\\"\"} 11\n"))
    }
}
