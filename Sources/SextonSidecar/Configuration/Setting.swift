import Foundation
import SextonCore

/// One configuration key: its path (relative to `Root`), how its text is read, where the value
/// goes and how it is reported back. Tables of these drive the YAML walk, the environment
/// names, the flags and the effective configuration, so a key is declared once.
struct Setting<Root> {
    let key: String
    let isList: Bool
    let allowed: String
    let impliedByBareFlag: String?
    /// Reads `texts` into `root`; issues name `fullKey`, the key as the user wrote it.
    let assign: (_ texts: [String], _ root: inout Root, _ fullKey: String) -> [ConfigIssue]
    let render: (Root) -> JSONValue

    init<T>(_ key: String, _ parser: ValueParser<T>, get: @escaping (Root) -> T?, set: @escaping (inout Root, T) -> Void) {
        self.key = key
        isList = parser.isList
        allowed = parser.allowed
        impliedByBareFlag = parser.impliedByBareFlag
        assign = { texts, root, fullKey in
            let trimmed = texts.map { $0.trimmingCharacters(in: .whitespaces) }
            switch parser.parse(parser.isList ? trimmed.filter { !$0.isEmpty } : trimmed) {
            case .success(let value):
                set(&root, value)
                return []
            case .failure(let rejected):
                return rejected.texts.map { ConfigIssue(key: fullKey, value: $0, allowed: parser.allowed) }
            }
        }
        render = { root in get(root).map(parser.render) ?? .null }
    }

    static func value<T>(_ key: String, _ parser: ValueParser<T>, _ path: WritableKeyPath<Root, T>) -> Self {
        Setting(key, parser, get: { $0[keyPath: path] }, set: { $0[keyPath: path] = $1 })
    }

    static func optional<T>(_ key: String, _ parser: ValueParser<T>, _ path: WritableKeyPath<Root, T?>) -> Self {
        Setting(key, parser, get: { $0[keyPath: path] }, set: { $0[keyPath: path] = $1 })
    }

    /// This setting as part of an enclosing section (`strategy` of CleanupConfig becomes
    /// `cleanup.strategy` of SextonConfiguration).
    func scoped<Outer>(_ prefix: String, _ path: WritableKeyPath<Outer, Root>) -> Setting<Outer> {
        let assign = self.assign, render = self.render
        return Setting<Outer>(
            key: "\(prefix).\(key)", isList: isList, allowed: allowed, impliedByBareFlag: impliedByBareFlag,
            assign: { texts, outer, fullKey in assign(texts, &outer[keyPath: path], fullKey) },
            render: { render($0[keyPath: path]) })
    }

    private init(
        key: String, isList: Bool, allowed: String, impliedByBareFlag: String?,
        assign: @escaping ([String], inout Root, String) -> [ConfigIssue], render: @escaping (Root) -> JSONValue
    ) {
        self.key = key
        self.isList = isList
        self.allowed = allowed
        self.impliedByBareFlag = impliedByBareFlag
        self.assign = assign
        self.render = render
    }
}

extension Array {
    /// Applies every setting that has a value in `values` (keyed by the settings' keys), and
    /// returns every problem found, prefixing keys with `prefix`.
    func assign<Root>(_ values: [String: [String]], to root: inout Root, prefix: String = "") -> [ConfigIssue]
    where Element == Setting<Root> {
        flatMap { setting in
            values[setting.key].map { setting.assign($0, &root, prefix + setting.key) } ?? []
        }
    }

    /// The settings' values as a nested object keyed by their dotted keys.
    func render<Root>(_ root: Root) -> JSONValue where Element == Setting<Root> {
        reduce(into: JSONValue.object([])) { object, setting in
            object.set(setting.render(root), at: setting.key.split(separator: "."))
        }
    }
}
