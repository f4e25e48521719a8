import SextonCore
import Yams

/// The `cleanup` object of a submitted operation (CONTRACT §2.1): the policy keys, read with the
/// same schema and parsers as a `policies.<op_type>` entry of the file, over that op type's
/// policy. The object becomes the YAML nodes its JSON text would compose to, so the YAML
/// reader takes it without a round trip through text.
enum OperationCleanupOverride {
    static func parse(_ value: JSONValue, opType: String, configuration: SextonConfiguration) throws(APIError) -> CleanupOverride {
        guard case .mapping(let mapping) = Node(value) else {
            throw APIError(.invalidArgument, "cleanup must be an object of cleanup keys", field: "cleanup")
        }
        let settings = ConfigurationKeys.policy
        let section = YAMLSection(mapping, schema: ConfigSchema(settings), keyPrefix: "cleanup.")
        let base = configuration.cleanupConfig(forOpType: opType)
        var applied = base
        var issues = section.issues + settings.assign(section.values, to: &applied, prefix: "cleanup.")
        let override = CleanupOverride(keys: section.values.keys, from: applied)
        if issues.isEmpty {
            issues = base.applying(override).validate(prefix: "cleanup")
        }
        if issues.isEmpty, let name = override.customHandler, configuration.handlers[name] == nil {
            issues.append(ConfigIssue(key: "cleanup.custom_handler", value: name, allowed: "a handler from handlers: (\(configuration.handlers.keys.sorted().joined(separator: ", ")))"))
        }
        if let issue = issues.first {
            throw APIError(.invalidArgument, issue.description, field: issue.key)
        }
        return override
    }
}

extension Node {
    /// The node YAML composes from `value`'s JSON text: a string is a quoted scalar (never
    /// read as a number, boolean or null), other scalars are plain.
    init(_ value: JSONValue) {
        switch value {
        case .null: self.init("null", Tag(.null), .plain)
        case .bool(let b): self.init(b ? "true" : "false", Tag(.bool), .plain)
        case .int(let i): self.init(String(i), Tag(.int), .plain)
        case .double(let d): self.init(String(d), Tag(.float), .plain)
        case .string(let s): self.init(s, Tag(.str), .doubleQuoted)
        case .array(let items): self = .sequence(Node.Sequence(items.map(Node.init)))
        case .object(let members): self = .mapping(Node.Mapping(members.map { (Node($0.0, Tag(.str), .doubleQuoted), Node($0.1)) }))
        }
    }
}
