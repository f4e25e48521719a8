extension JSONValue {
    /// An object of `fields` in key order, as the effective configuration is written.
    static func sorted(_ fields: [String: JSONValue]) -> JSONValue {
        .object(fields.sorted { $0.key < $1.key })
    }

    /// The value at a dotted key path (`cleanup.retention`) of nested objects.
    public subscript(path path: String) -> JSONValue? {
        path.split(separator: ".").reduce(Optional(self)) { value, component in value?[String(component)] }
    }

    /// Sets `value` at a dotted key path, creating the objects on the way and keeping every
    /// object's keys in order.
    mutating func set(_ value: JSONValue, at path: some Collection<Substring>) {
        guard let first = path.first.map(String.init) else { self = value; return }
        var members = self.members ?? []
        let index = members.firstIndex { $0.0 >= first }
        var child: JSONValue = .object([])
        if let index, members[index].0 == first {
            child = members[index].1
            members.remove(at: index)
        }
        child.set(value, at: path.dropFirst())
        members.insert((first, child), at: members.firstIndex { $0.0 > first } ?? members.endIndex)
        self = .object(members)
    }

    /// Indented JSON text: two spaces a level, `"key" : value`.
    public var pretty: String {
        var out = ""
        writePretty(into: &out, indent: "")
        return out
    }

    private func writePretty(into out: inout String, indent: String) {
        let inner = indent + "  "
        switch self {
        case .array(let items) where !items.isEmpty:
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += inner
                item.writePretty(into: &out, indent: inner)
                out += i < items.count - 1 ? ",\n" : "\n"
            }
            out += indent + "]"
        case .object(let members) where !members.isEmpty:
            out += "{\n"
            for (i, (key, value)) in members.enumerated() {
                out += inner + String(decoding: JSONValue.string(key).serialized, as: UTF8.self) + " : "
                value.writePretty(into: &out, indent: inner)
                out += i < members.count - 1 ? ",\n" : "\n"
            }
            out += indent + "}"
        default:
            out += String(decoding: serialized, as: UTF8.self)
        }
    }
}
