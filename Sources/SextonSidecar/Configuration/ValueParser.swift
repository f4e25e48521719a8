import SextonCore

/// The pieces of text a parser could not read.
struct RejectedText: Error {
    var texts: [String]
}

/// How one kind of configuration value is read from the text a user wrote and rendered back.
/// Scalars arrive as one string; lists as their items (YAML sequences, or comma-separated text
/// from the environment and flags).
struct ValueParser<Value> {
    let isList: Bool
    /// What a valid value looks like, for error messages.
    let allowed: String
    /// The value a bare flag (`--cleanup-dry-run`) stands for.
    var impliedByBareFlag: String?
    /// The value, or the pieces of text that could not be read.
    let parse: ([String]) -> Result<Value, RejectedText>
    let render: (Value) -> JSONValue

    static func scalar(allowed: String, render: @escaping (Value) -> JSONValue, _ read: @escaping (String) -> Value?) -> Self {
        ValueParser(isList: false, allowed: allowed, parse: { texts in
            let text = texts.first ?? ""
            return read(text).map { .success($0) } ?? .failure(RejectedText(texts: [text]))
        }, render: render)
    }
}

extension ValueParser {
    /// A set written as a list whose every item is read by `readItem` (one item may stand for
    /// several values, like a priority band).
    static func set<Item: Hashable & Comparable>(
        allowed: String, renderItem: @escaping (Item) -> JSONValue, _ readItem: @escaping (String) -> [Item]?
    ) -> ValueParser<Set<Item>> {
        ValueParser<Set<Item>>(isList: true, allowed: allowed, parse: { texts in
            let read = texts.map { ($0, readItem($0)) }
            let rejected = read.filter { $0.1 == nil }.map(\.0)
            guard rejected.isEmpty else { return .failure(RejectedText(texts: rejected)) }
            return .success(Set(read.flatMap { $0.1 ?? [] }))
        }, render: { .array($0.sorted().map(renderItem)) })
    }
}

extension ValueParser where Value == Duration {
    static var duration: Self {
        .scalar(allowed: "a duration like 30s, 5m, 1h30m", render: { .string($0.prometheusText) }) { Duration(prometheus: $0) }
    }
}

extension ValueParser where Value == Int {
    static var integer: Self { .scalar(allowed: "an integer", render: { .int($0) }) { integral($0) } }

    /// An integer written as one: `3`, or `3.0` as a JSON encoder may write it (JSON has one
    /// number type, and the API takes `3.0` wherever it takes `3`).
    static func integral(_ text: String) -> Int? {
        Int(text) ?? Double(text).flatMap { Int(exactly: $0) }
    }
}

extension ValueParser where Value == Double {
    static var number: Self {
        .scalar(allowed: "a number", render: { .double($0) }) { Double($0).flatMap { $0.isFinite ? $0 : nil } }
    }
}

extension ValueParser where Value == Bool {
    static var boolean: Self {
        var parser = Self.scalar(allowed: "true or false", render: { .bool($0) }) { text in
            switch text.lowercased() {
            case "true", "yes", "on", "1": true
            case "false", "no", "off", "0": false
            default: nil
            }
        }
        parser.impliedByBareFlag = "true"
        return parser
    }
}

extension ValueParser where Value == String {
    static var text: Self { .scalar(allowed: "a non-empty string", render: { .string($0) }) { $0.isEmpty ? nil : $0 } }

    /// An op_type (CONTRACT §2.1), also the syntax of policy and handler names.
    static var name: Self {
        .scalar(allowed: OpTypeSyntax.allowed, render: { .string($0) }) { OpTypeSyntax.isValid($0) ? $0 : nil }
    }
}

extension ValueParser where Value == ListenAddress {
    static var address: Self {
        .scalar(allowed: ListenAddress.allowedText, render: { .string($0.description) }) { ListenAddress($0) }
    }
}

extension ValueParser where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    static var oneOf: Self {
        .scalar(allowed: "one of " + Value.allCases.map(\.rawValue).joined(separator: ", "), render: { .string($0.rawValue) }) {
            Value(rawValue: $0)
        }
    }
}

extension ValueParser where Value == Set<String> {
    static var opTypes: Self { .set(allowed: "a list of op types (\(OpTypeSyntax.allowed))", renderItem: { .string($0) }) { OpTypeSyntax.isValid($0) ? [$0] : nil } }
}

extension ValueParser where Value == Set<Int> {
    /// Priorities 1–10 or level names; a name stands for its whole band (`low` = 2, 3, 4).
    static var priorities: Self {
        .set(allowed: "priorities 1–10 or level names (background, low, normal, high, critical)", renderItem: { .int($0) }) { text in
            if let value = ValueParser<Int>.integral(text) { return Priority(value).map { [$0.value] } }
            guard let band = PriorityBand(rawValue: text) else { return nil }
            return Priority.range.filter { Priority($0)?.band == band }
        }
    }
}

/// `[a-z0-9_.-]{1,64}` (CONTRACT §2.1).
enum OpTypeSyntax {
    static let allowed = "1–64 characters of [a-z0-9_.-]"

    static func isValid(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count)
            && text.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }
}
