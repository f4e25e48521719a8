import SextonCore

/// The shape of a configuration section: its leaf keys (dotted, relative to the section), and
/// the keys whose value maps names the user chooses to settings (`policies`, `handlers`).
struct ConfigSchema {
    struct Leaf {
        var isList: Bool
        var allowed: String
    }

    let leaves: [String: Leaf]
    let namedMaps: Set<String>

    init<Root>(_ settings: [Setting<Root>], namedMaps: Set<String> = []) {
        leaves = Dictionary(uniqueKeysWithValues: settings.map { ($0.key, Leaf(isList: $0.isList, allowed: $0.allowed)) })
        self.namedMaps = namedMaps
    }

    /// The keys directly under `path` ("" for the top), for listing and suggestions.
    func children(of path: String) -> [String] {
        let prefix = path.isEmpty ? "" : path + "."
        let names = (Array(leaves.keys) + namedMaps).compactMap { key -> String? in
            guard key.hasPrefix(prefix) else { return nil }
            return key.dropFirst(prefix.count).split(separator: ".").first.map(String.init)
        }
        return Set(names).sorted()
    }

    func isSection(_ path: String) -> Bool {
        !path.isEmpty && leaves[path] == nil && !children(of: path).isEmpty
    }

    /// The issue for a key that is not in the schema: a close sibling is suggested, else the
    /// siblings are listed, so a typo like `cleanup.stratgy` says what was meant.
    func unknownKeyIssue(section: String, name: String, fullKey: String, value: String) -> ConfigIssue {
        let siblings = children(of: section)
        let sectionPrefix = String(fullKey.dropLast(name.count))
        let allowed = Suggestion.closest(to: name, among: siblings).map { "known keys only; did you mean \(sectionPrefix)\($0)?" }
            ?? "known keys only: \(siblings.joined(separator: ", "))"
        return ConfigIssue(key: fullKey, value: value, allowed: allowed)
    }
}

/// The known name a typo most likely meant, so errors can say "did you mean …?".
enum Suggestion {
    static func closest(to typo: String, among names: some Sequence<String>) -> String? {
        let limit = max(2, typo.count / 4)
        return names.map { ($0, distance($0, typo)) }.filter { $0.1 <= limit }.min { $0.1 < $1.1 }?.0
    }

    /// Levenshtein distance.
    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in a.indices {
            var current = [i + 1]
            for j in b.indices {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (a[i] == b[j] ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
