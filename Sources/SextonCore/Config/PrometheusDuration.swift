/// Durations written the way Prometheus writes them: `250ms`, `30s`, `5m`, `1h30m`, `2d`.
extension Duration {
    /// Largest first: Prometheus requires units in this order, each at most once.
    private static let units: [(suffix: String, nanoseconds: Int64)] = [
        ("y", 365 * 86_400_000_000_000), ("w", 7 * 86_400_000_000_000), ("d", 86_400_000_000_000),
        ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000),
    ]

    public init?(prometheus text: String) {
        if text == "0" { self = .zero; return }
        var rest = Substring(text)
        var total: Int64 = 0
        var nextUnit = 0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard let amount = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let letters = rest.prefix { $0.isASCII && $0.isLetter }
            guard let found = Self.units[nextUnit...].firstIndex(where: { $0.suffix == letters }) else { return nil }
            rest = rest.dropFirst(letters.count)
            nextUnit = found + 1
            let (scaled, overflow1) = amount.multipliedReportingOverflow(by: Self.units[found].nanoseconds)
            let (sum, overflow2) = total.addingReportingOverflow(scaled)
            guard !overflow1, !overflow2 else { return nil }
            total = sum
        }
        guard nextUnit > 0 else { return nil }
        self = .nanoseconds(total)
    }

    /// Renders the duration in the same notation (`1h30m`, `250ms`, `0s`), to the millisecond
    /// (the finest unit the notation has); weeks and years are left as days so the text reads
    /// the way operators write it.
    public var prometheusText: String {
        var nanos = nanoseconds
        if nanos == 0 { return "0s" }
        let sign = nanos < 0 ? "-" : ""
        nanos = nanos == .min ? .max : abs(nanos)
        var out = sign
        for (suffix, size) in Self.units.dropFirst(2) where nanos >= size {
            out += "\(nanos / size)\(suffix)"
            nanos %= size
        }
        return out == sign ? "0s" : out
    }
}
