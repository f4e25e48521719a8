import SextonCore

/// A configuration value as reported back to operators (`GET /admin/cleanup/status`,
/// `SextonConfiguration.description`): keys as written in YAML, durations in Prometheus notation.
public indirect enum EffectiveValue: Sendable, Equatable, Encodable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([EffectiveValue])
    case object([String: EffectiveValue])

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .list(let values): try container.encode(values)
        case .object(let fields): try container.encode(fields)
        }
    }

    /// The value at a dotted key path (`cleanup.retention`) of an object, for tests and tools.
    public subscript(path: String) -> EffectiveValue? {
        path.split(separator: ".").reduce(Optional(self)) { value, component in
            guard case .object(let fields)? = value else { return nil }
            return fields[String(component)]
        }
    }

    /// Sets `value` at a dotted key path, creating the objects on the way.
    mutating func set(_ value: EffectiveValue, at path: some Collection<Substring>) {
        guard let first = path.first else { self = value; return }
        guard case .object(var fields) = self else {
            var object = EffectiveValue.object([:])
            object.set(value, at: path)
            self = object
            return
        }
        var child = fields[String(first)] ?? .object([:])
        child.set(value, at: path.dropFirst())
        fields[String(first)] = child
        self = .object(fields)
    }
}
