/// One configuration error: the key, the value found and what is allowed.
public struct ConfigIssue: Error, Sendable, Equatable, CustomStringConvertible {
    public var key: String
    public var value: String
    public var allowed: String

    public init(key: String, value: String, allowed: String) {
        self.key = key
        self.value = value
        self.allowed = allowed
    }

    public var description: String { "\(key): invalid value \"\(value)\" (allowed: \(allowed))" }
}

/// Collects range checks so a validator reports every problem at once, not just the first.
public struct ConfigChecker {
    public private(set) var issues: [ConfigIssue] = []
    public let prefix: String

    public init(prefix: String) { self.prefix = prefix }

    private func key(_ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }

    public mutating func fail(_ name: String, _ value: String, allowed: String) {
        issues.append(ConfigIssue(key: key(name), value: value, allowed: allowed))
    }

    public mutating func check<T: Comparable>(
        _ name: String, _ value: T, in range: ClosedRange<T>, render: (T) -> String
    ) {
        if !range.contains(value) {
            fail(name, render(value), allowed: "\(render(range.lowerBound))–\(render(range.upperBound))")
        }
    }

    public mutating func check(_ name: String, _ value: Int, in range: ClosedRange<Int>) {
        check(name, value, in: range) { String($0) }
    }

    public mutating func check(_ name: String, _ value: Double, in range: ClosedRange<Double>) {
        check(name, value, in: range) { String($0) }
    }

    public mutating func check(_ name: String, _ value: Duration, in range: ClosedRange<Duration>) {
        check(name, value, in: range) { $0.prometheusText }
    }

    public mutating func absorb(_ other: [ConfigIssue]) { issues.append(contentsOf: other) }
}
