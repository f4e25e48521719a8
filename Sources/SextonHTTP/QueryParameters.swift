/// A parsed `application/x-www-form-urlencoded` query: order and repeated keys are kept,
/// and a key without `=` (as in `?verbose`) has the value `""`.
public struct QueryParameters: Sendable, Sequence {
    public let items: [(name: String, value: String)]

    public init(parsing query: Substring) {
        items = query.split(separator: "&").map { pair in
            guard let equals = pair.firstIndex(of: "=") else {
                return (name: PercentDecoding.decode(pair, plusAsSpace: true), value: "")
            }
            return (
                name: PercentDecoding.decode(pair[..<equals], plusAsSpace: true),
                value: PercentDecoding.decode(pair[pair.index(after: equals)...], plusAsSpace: true)
            )
        }
    }

    /// The first value of `name`, if present.
    public subscript(name: String) -> String? {
        items.first { $0.name == name }?.value
    }

    public func values(for name: String) -> [String] {
        items.filter { $0.name == name }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { items.contains { $0.name == name } }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        items.makeIterator()
    }
}
