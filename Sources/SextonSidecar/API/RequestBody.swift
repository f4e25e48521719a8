import SextonCore
import SextonHTTP

/// Reads a request's JSON body (CONTRACT §5): JSON by `Content-Type`, else 415; a route that
/// needs no body takes an empty one with no type.
enum RequestBody {
    /// The body as a JSON object, or nil when it is empty and `optional`.
    static func object(_ request: Request, optional: Bool = false) throws(APIError) -> JSONValue? {
        if request.body.isEmpty && request.mediaType == nil {
            if optional { return nil }
            throw APIError(.invalidJSON, "a JSON object body is required")
        }
        guard request.mediaType == "application/json" else {
            throw APIError(.unsupportedMediaType, "the body must be application/json, not \(request.mediaType ?? "untyped")")
        }
        if request.body.isEmpty && optional { return nil }
        let value: JSONValue
        switch JSONParser.parse(request.body) {
        case .success(let parsed): value = parsed
        case .failure(let invalid): throw APIError(.invalidJSON, invalid.message, field: invalid.key)
        }
        guard case .object = value else {
            throw APIError(.invalidJSON, "the body must be a JSON object")
        }
        return value
    }
}

extension Request {
    /// The one value of query parameter `name`, if given; a repeated one is refused (CONTRACT §5).
    func singleQuery(_ name: String) throws(APIError) -> String? {
        let values = query.values(for: name)
        guard values.count <= 1 else {
            throw APIError(.invalidArgument, "\(name) is given \(values.count) times; give it once", field: name)
        }
        return values.first
    }

    /// The operation id in the path, checked like one in a body.
    func pathID() throws(APIError) -> String {
        let id = pathParameters["id"] ?? ""
        try APIError.core { () throws(SextonError) in try OperationRequest.checkID(id, field: "id") }
        return id
    }
}

/// Typed access to one JSON object's fields, each error naming the field.
struct JSONFields {
    let value: JSONValue
    let prefix: String
    let allowed: Set<String>

    init(_ value: JSONValue, prefix: String = "", allowed: Set<String>) throws(APIError) {
        self.value = value
        self.prefix = prefix
        self.allowed = allowed
        guard case .object(let members) = value else {
            throw APIError(.invalidArgument, "\(prefix.isEmpty ? "the body" : String(prefix.dropLast())) must be an object", field: prefix.isEmpty ? nil : String(prefix.dropLast()))
        }
        // Unknown fields are refused so a misspelt one is not silently ignored.
        if let unknown = members.map(\.0).first(where: { !allowed.contains($0) }) {
            let known = allowed.isEmpty ? "this request takes no fields" : "known: \(allowed.sorted().joined(separator: ", "))"
            throw APIError(.invalidArgument, "unknown field \(unknown); \(known)", field: prefix + unknown)
        }
    }

    func field(_ name: String) -> String { prefix + name }

    /// A present, non-null member.
    func member(_ name: String) -> JSONValue? {
        switch value[name] {
        case nil, .null?: nil
        case let v?: v
        }
    }

    func string(_ name: String) throws(APIError) -> String? {
        guard let v = member(name) else { return nil }
        guard case .string(let s) = v else { throw APIError(.invalidArgument, "\(field(name)) must be a string", field: field(name)) }
        return s
    }

    func int(_ name: String, min: Int = .min) throws(APIError) -> Int? {
        guard let v = member(name) else { return nil }
        let number: Int
        switch v {
        case .int(let i): number = i
        case .double(let d):
            // JSON has one number type: 3.0 and 3e2 are integers too.
            guard let exact = Int(exactly: d) else { throw APIError(.invalidArgument, "\(field(name)) must be an integer", field: field(name)) }
            number = exact
        default: throw APIError(.invalidArgument, "\(field(name)) must be an integer", field: field(name))
        }
        guard number >= min else { throw APIError(.invalidArgument, "\(field(name)) must be at least \(min)", field: field(name)) }
        return number
    }
}
