import SextonCore
import Yams

/// `policies:` entries: each op type's cleanup keys, read over the global `cleanup:` section
/// (so `retry.max_attempts` alone keeps the global delay and multiplier).
enum PolicySection {
    static func read(_ entries: [(name: String, node: Node)], global: CleanupConfig) -> ([String: CleanupOverride], [ConfigIssue]) {
        let settings = ConfigurationKeys.policy
        let schema = ConfigSchema(settings)
        var policies: [String: CleanupOverride] = [:]
        var issues: [ConfigIssue] = []
        for (opType, node) in entries {
            let prefix = "policies.\(opType)."
            guard let mapping = node.mapping else {
                if node.null == nil {
                    issues.append(ConfigIssue(key: "policies.\(opType)", value: node.summary, allowed: "a map of cleanup keys: \(schema.children(of: "").joined(separator: ", "))"))
                }
                policies[opType] = CleanupOverride()
                continue
            }
            let section = YAMLSection(mapping, schema: schema, keyPrefix: prefix)
            var applied = global
            issues += section.issues + settings.assign(section.values, to: &applied, prefix: prefix)
            policies[opType] = CleanupOverride(keys: section.values.keys, from: applied)
        }
        return (policies, issues)
    }
}

/// The types of handler `handlers:` entries may have.
enum HandlerType: String, CaseIterable {
    case auditLog = "audit_log"
    case webhook

    /// The keys each type takes; the others are errors.
    var keys: Set<String> {
        switch self {
        case .auditLog: ["type", "path", "retention"]
        case .webhook: ["type", "url", "timeout", "headers", "retention"]
        }
    }
}

/// `handlers:` entries: `{type: audit_log, path}` or `{type: webhook, url, timeout, headers}`,
/// each with an optional `retention`.
enum HandlerSection {
    private struct Draft {
        var type: HandlerType?
        var path: String?
        var url: String?
        var timeout: Duration = .seconds(5)
        var retention: Duration = .zero
    }

    private static var settings: [Setting<Draft>] {
        [
            .optional("type", .oneOf, \.type),
            .optional("path", .text, \.path),
            .optional("url", .text, \.url),
            .value("timeout", .duration, \.timeout),
            .value("retention", .duration, \.retention),
        ]
    }

    static func read(_ entries: [(name: String, node: Node)]) -> ([String: HandlerConfig], [ConfigIssue]) {
        let schema = ConfigSchema(settings, namedMaps: ["headers"])
        var handlers: [String: HandlerConfig] = [:]
        var issues: [ConfigIssue] = []
        for (name, node) in entries {
            let prefix = "handlers.\(name)."
            guard let mapping = node.mapping else {
                issues.append(ConfigIssue(key: "handlers.\(name)", value: node.summary, allowed: "a map with a type (\(HandlerType.allowedText)) and its keys"))
                continue
            }
            let section = YAMLSection(mapping, schema: schema, keyPrefix: prefix)
            var draft = Draft()
            issues += section.issues + settings.assign(section.values, to: &draft, prefix: prefix)
            guard let type = draft.type else {
                if section.values["type"] == nil {
                    issues.append(ConfigIssue(key: prefix + "type", value: "", allowed: HandlerType.allowedText))
                }
                continue
            }
            let written = Set(section.values.keys).union(section.namedMaps.keys)
            for key in written.subtracting(type.keys).sorted() {
                let allowed = "keys of a \(type.rawValue) handler: \(type.keys.sorted().joined(separator: ", "))"
                issues.append(ConfigIssue(key: prefix + key, value: section.values[key]?.joined(separator: ",") ?? "{…}", allowed: allowed))
            }
            var headers: [String: String] = [:]
            for (header, value) in section.namedMaps["headers"] ?? [] {
                guard let text = value.scalar?.string else {
                    issues.append(ConfigIssue(key: prefix + "headers.\(header)", value: value.summary, allowed: "a header value"))
                    continue
                }
                headers[header] = text
            }
            let kind: HandlerConfig.Kind = switch type {
            case .auditLog: .auditLog(path: draft.path ?? "")
            case .webhook: .webhook(WebhookConfig(url: draft.url ?? "", timeout: draft.timeout, headers: headers))
            }
            handlers[name] = HandlerConfig(kind: kind, retention: draft.retention)
        }
        return (handlers, issues)
    }
}

extension HandlerType {
    static var allowedText: String { "one of " + allCases.map(\.rawValue).joined(separator: ", ") }
}
