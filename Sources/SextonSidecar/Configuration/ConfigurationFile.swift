import Foundation
import SextonCore
import Yams

/// Reads the YAML file. Yams is used directly, not through swift-configuration's
/// FileProvider<YAMLSnapshot>: the snapshot cannot list its keys (so unknown keys and typos
/// would pass silently), flattens keys with dots (op types may contain dots), and fails the
/// whole file on a list of maps.
enum ConfigurationFile {
    /// The file's root mapping, or a message naming the file (and the line, for YAML errors).
    static func read(_ path: String) -> Result<Node.Mapping, ConfigurationErrors> {
        func problem(_ message: String) -> Result<Node.Mapping, ConfigurationErrors> {
            .failure(ConfigurationErrors(fileProblems: ["\(path): \(message)"]))
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return problem("cannot read the configuration file: no such file")
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            return problem("cannot read the configuration file: \(isDirectory.boolValue ? "it is a directory" : "permission denied or unreadable")")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: String(decoding: data, as: UTF8.self))
        } catch {
            return problem(syntaxMessage(error))
        }
        guard let node, node.null == nil else { return .success(Node.Mapping([])) }
        guard let mapping = node.mapping else {
            return problem("invalid YAML: the top level must be a map of sections (listen, coordinator, cleanup, …)")
        }
        return .success(mapping)
    }

    /// `line 3, column 7: invalid YAML: mapping values are not allowed in this context`.
    private static func syntaxMessage(_ error: any Error) -> String {
        switch error as? YamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let during = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return "line \(mark.line), column \(mark.column): invalid YAML: \(problem)\(during)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            return "line \(context.mark.line), column \(context.mark.column): invalid YAML: duplicated keys \(duplicates.joined(separator: ", "))"
        default:
            return "invalid YAML: \(error)"
        }
    }
}
