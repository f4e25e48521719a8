/// A text exposition (Prometheus 0.0.4) as families and samples: enough to check `# HELP` and
/// `# TYPE` and to read counters and gauges by name and labels.
public struct MetricSamples: Sendable {
    public struct Sample: Sendable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    public let text: String
    public private(set) var samples: [Sample] = []
    /// Family name to its help text and to its type.
    public private(set) var help: [String: String] = [:]
    public private(set) var type: [String: String] = [:]

    public init(_ bytes: [UInt8]) { self.init(String(decoding: bytes, as: UTF8.self)) }

    public init(_ text: String) {
        self.text = text
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst(7)
                let name = rest.prefix { $0 != " " }
                help[String(name)] = String(rest.dropFirst(name.count + 1))
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                if parts.count == 2 { type[String(parts[0])] = String(parts[1]) }
            } else if let sample = Self.parse(line) {
                samples.append(sample)
            }
        }
    }

    /// The sum over every series of `name` whose labels include `labels`; 0 when none.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double {
        matching(name, labels).reduce(0) { $0 + $1.value }
    }

    public func has(_ name: String, _ labels: [String: String] = [:]) -> Bool {
        !matching(name, labels).isEmpty
    }

    /// The family a sample belongs to: its own name, or a histogram's without `_bucket`, `_sum`, `_count`.
    public func family(of sample: Sample) -> String? {
        if type[sample.name] != nil { return sample.name }
        return ["_bucket", "_sum", "_count"].lazy.filter { sample.name.hasSuffix($0) }
            .map { String(sample.name.dropLast($0.count)) }.first { type[$0] == "histogram" }
    }

    private func matching(_ name: String, _ labels: [String: String]) -> [Sample] {
        samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
    }

    private static func parse(_ line: Substring) -> Sample? {
        guard !line.hasPrefix("#"), !line.isEmpty else { return nil }
        let nameEnd = line.firstIndex { $0 == "{" || $0 == " " } ?? line.endIndex
        var labels: [String: String] = [:]
        var rest = line[nameEnd...]
        if rest.first == "{", let close = rest.lastIndex(of: "}") {
            labels = parseLabels(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
        }
        guard let valueText = rest.split(separator: " ").first, let value = Double(valueText) ?? special(valueText) else { return nil }
        return Sample(name: String(line[..<nameEnd]), labels: labels, value: value)
    }

    private static func special(_ text: Substring) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: nil
        }
    }

    /// `a="x",b="y"`; the values the tests read carry no escaped quotes or commas.
    private static func parseLabels(_ text: Substring) -> [String: String] {
        var labels: [String: String] = [:]
        for pair in text.split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { continue }
            labels[String(kv[0])] = String(kv[1].dropFirst().dropLast())
        }
        return labels
    }
}
