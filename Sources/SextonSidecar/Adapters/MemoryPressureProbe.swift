import Foundation
import SextonCore

/// The memory pressure ratio of CONTRACT §3.3: cgroup v2 (`memory.current` / `memory.max`),
/// else cgroup v1 (`memory.usage_in_bytes` / `memory.limit_in_bytes`), else /proc/meminfo
/// (1 − MemAvailable/MemTotal). A cgroup without a limit ("max", or v1's huge sentinel) says
/// nothing about pressure, so the probe falls through to meminfo.
struct MemoryPressureProbe: MemoryPressureSource {
    let config: MemoryConfig

    init(_ config: MemoryConfig) { self.config = config }

    func sample() -> Double? {
        switch config.source {
        case .cgroup: cgroupRatio()
        case .meminfo: meminfoRatio()
        case .auto: cgroupRatio() ?? meminfoRatio()
        }
    }

    /// v1 reports "no limit" as a page-rounded Int64.max.
    private static let unlimited: UInt64 = 1 << 62

    private func cgroupRatio() -> Double? {
        let root = URL(fileURLWithPath: config.cgroupRoot)
        for (usage, limit) in [("memory.current", "memory.max"), ("memory.usage_in_bytes", "memory.limit_in_bytes")] {
            guard let used = Self.number(root.appendingPathComponent(usage).path),
                let max = Self.number(root.appendingPathComponent(limit).path)
            else { continue }
            guard max > 0, max < Self.unlimited else { return nil }
            return min(1, Double(used) / Double(max))
        }
        return nil
    }

    private func meminfoRatio() -> Double? {
        guard let text = try? String(contentsOfFile: config.meminfo, encoding: .utf8) else { return nil }
        var fields: [Substring: Double] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " })
            if parts.count >= 2, let value = Double(parts[1]) { fields[parts[0]] = value }
        }
        guard let total = fields["MemTotal"], total > 0, let available = fields["MemAvailable"] else { return nil }
        return min(1, max(0, 1 - available / total))
    }

    /// A file holding one number; "max" and unreadable files are nil.
    private static func number(_ path: String) -> UInt64? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed == "max" ? unlimited : UInt64(trimmed)
    }
}
