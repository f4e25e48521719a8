/// Aligned columns for a person to read at a glance: a header row in capitals, then one row per
/// item, each column as wide as its widest cell, two spaces apart; the last column is not padded.
public struct TextTable {
    let headers: [String]
    var rows: [[String]] = []

    public init(_ headers: String...) { self.headers = headers }

    public mutating func add(_ cells: String...) { rows.append(cells) }

    public var rendered: String {
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

/// Ages and delays the way an operator says them: `850ms`, `45s`, `3m12s`, `1h30m`, `2d3h`
/// (the two largest units).
public enum AgeText {
    public static func format(seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        let magnitude = abs(seconds)
        if magnitude < 1 { return "\(Int(magnitude * 1000))ms" }
        let total = Int(magnitude)
        let units = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]
        var parts: [String] = []
        var rest = total
        for (name, size) in units where parts.count < 2 {
            let count = rest / size
            rest %= size
            if count > 0 || !parts.isEmpty { parts.append("\(count)\(name)") }
        }
        return parts.filter { !$0.hasPrefix("0") }.joined()
    }
}
