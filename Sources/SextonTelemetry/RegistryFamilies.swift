import Prometheus

/// Family constructors that take the full metric name and always a help text: every family
/// must carry `# HELP` (promtool rejects it otherwise), so the help is not optional here.
extension PrometheusCollectorRegistry {
    private func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    func counter(name: String, labels: [(String, String)] = [], help: String) -> Counter {
        makeCounter(descriptor: descriptor(name, help), labels: labels)
    }

    func gauge(name: String, labels: [(String, String)] = [], help: String) -> Gauge {
        makeGauge(descriptor: descriptor(name, help), labels: labels)
    }

    func durationHistogram(name: String, labels: [(String, String)] = [], buckets: [Duration], help: String) -> DurationHistogram {
        makeDurationHistogram(descriptor: descriptor(name, help), labels: labels, buckets: buckets)
    }

    func valueHistogram(name: String, buckets: [Double], help: String) -> ValueHistogram {
        makeValueHistogram(descriptor: descriptor(name, help), buckets: buckets)
    }
}
