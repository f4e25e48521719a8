/// An operation's priority, 1 (lowest) to 10 (highest).
public struct Priority: Comparable, Hashable, Sendable, CustomStringConvertible {
    public let value: Int

    public static let background = Priority(unchecked: 1)
    public static let low = Priority(unchecked: 2)
    public static let normal = Priority(unchecked: 5)
    public static let high = Priority(unchecked: 8)
    public static let critical = Priority(unchecked: 10)

    public static let range = 1...10

    private init(unchecked value: Int) { self.value = value }

    public init?(_ value: Int) {
        guard Self.range.contains(value) else { return nil }
        self.value = value
    }

    /// Parses a level name (`background`, `low`, `normal`, `high`, `critical`).
    public init?(name: String) {
        switch name {
        case "background": self = .background
        case "low": self = .low
        case "normal": self = .normal
        case "high": self = .high
        case "critical": self = .critical
        default: return nil
        }
    }

    /// The band used as the `priority` metric label: 1 background, 2–4 low, 5–7 normal, 8–9 high, 10 critical.
    public var band: PriorityBand {
        switch value {
        case 1: .background
        case 2...4: .low
        case 5...7: .normal
        case 8...9: .high
        default: .critical
        }
    }

    public var description: String { String(value) }

    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.value < rhs.value }
}

public enum PriorityBand: String, CaseIterable, Sendable {
    case background, low, normal, high, critical
}
