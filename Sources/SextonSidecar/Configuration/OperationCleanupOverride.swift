import Foundation
import SextonCore
import Yams

/// The `cleanup` object of a submitted operation (CONTRACT §2.1): the policy keys, read with the
/// same schema and parsers as a `policies.<op_type>` entry of the file, over that op type's
/// policy. JSON is YAML, so the object goes through the YAML reader unchanged.
enum OperationCleanupOverride {
    static func parse(_ value: JSONValue, opType: String, configuration: SextonConfiguration) throws(APIError) -> CleanupOverride {
        guard case .object = value,
            let node = try? Yams.compose(yaml: String(decoding: value.serialized, as: UTF8.self)),
            let mapping = node.mapping
        else {
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

extension SextonConfiguration {
    /// `effective` as a JSON value, for the admin status endpoint.
    var effectiveJSON: JSONValue {
        (try? JSONEncoder().encode(effective)).flatMap { JSONValue.parse(Array($0)) } ?? .object([])
    }
}
