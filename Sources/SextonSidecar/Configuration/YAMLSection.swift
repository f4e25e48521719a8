import SextonCore
import Yams

/// What a YAML mapping holds, read against a schema: the text of every known leaf, the
/// entries of named maps (read later, once the global settings they build on are known), and
/// every shape problem and unknown key.
struct YAMLSection {
    var values: [String: [String]] = [:]
    var namedMaps: [String: [(name: String, node: Node)]] = [:]
    var issues: [ConfigIssue] = []

    /// `keyPrefix` is where this mapping sits in the file (`policies.db_migrate.`), so issues
    /// name keys as the user wrote them.
    init(_ mapping: Node.Mapping, schema: ConfigSchema, keyPrefix: String = "") {
        walk(mapping, path: "", schema: schema, keyPrefix: keyPrefix)
    }

    private mutating func walk(_ mapping: Node.Mapping, path: String, schema: ConfigSchema, keyPrefix: String) {
        for (keyNode, node) in mapping {
            guard let name = keyNode.scalar?.string else {
                issues.append(ConfigIssue(key: keyPrefix + path, value: keyNode.summary, allowed: "plain text keys"))
                continue
            }
            let key = path.isEmpty ? name : "\(path).\(name)"
            let fullKey = keyPrefix + key
            if let leaf = schema.leaves[key] {
                read(node, leaf: leaf, key: key, fullKey: fullKey)
            } else if schema.namedMaps.contains(key) {
                if let entries = node.mapping {
                    namedMaps[key] = entries.map { (name: $0.key.scalar?.string ?? $0.key.summary, node: $0.value) }
                } else if node.null == nil {
                    issues.append(ConfigIssue(key: fullKey, value: node.summary, allowed: "a map of names to settings"))
                }
            } else if schema.isSection(key) {
                if let child = node.mapping {
                    walk(child, path: key, schema: schema, keyPrefix: keyPrefix)
                } else if node.null == nil {
                    let keys = schema.children(of: key).joined(separator: ", ")
                    issues.append(ConfigIssue(key: fullKey, value: node.summary, allowed: "a section with keys \(keys)"))
                }
            } else {
                issues.append(schema.unknownKeyIssue(section: path, name: name, fullKey: fullKey, value: node.summary))
            }
        }
    }

    /// A null leaf keeps the default; a list key also takes one comma-separated scalar, as
    /// the environment and flags write lists.
    private mutating func read(_ node: Node, leaf: ConfigSchema.Leaf, key: String, fullKey: String) {
        if node.null != nil { return }
        if let scalar = node.scalar {
            values[key] = leaf.isList ? scalar.string.split(separator: ",").map(String.init) : [scalar.string]
        } else if leaf.isList, let items = node.sequence {
            let nonScalars = items.filter { $0.scalar == nil }
            guard nonScalars.isEmpty else {
                issues += nonScalars.map { ConfigIssue(key: fullKey, value: $0.summary, allowed: leaf.allowed) }
                return
            }
            values[key] = items.compactMap { $0.scalar?.string }
        } else {
            issues.append(ConfigIssue(key: fullKey, value: node.summary, allowed: leaf.allowed))
        }
    }
}

extension Node {
    /// A short rendering of a node for error messages.
    var summary: String {
        switch self {
        case .scalar(let scalar): scalar.string
        case .sequence(let items): "[" + items.map(\.summary).joined(separator: ", ") + "]"
        case .mapping(let entries): "{" + entries.map { "\($0.key.summary): \($0.value.summary)" }.joined(separator: ", ") + "}"
        case .alias: "*alias"
        }
    }
}
