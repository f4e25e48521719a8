import SextonCore

/// `POST /v1/operations` bodies (CONTRACT §2.1) into `OperationRequest`s. Syntax rules of each
/// field are the core's (`OperationRequest.validate()`); this checks JSON types and names the
/// offending field.
struct OperationRequestDecoding {
    static let fields: Set<String> = [
        "id", "target", "target_type", "op_type", "priority", "parent", "retry_of", "retry_count",
        "expected_version", "cleanup",
    ]

    /// Reads the per-operation `cleanup` object over its op type's policy; errors name `cleanup.<key>`.
    let cleanup: @Sendable (_ value: JSONValue, _ opType: String) throws(APIError) -> CleanupOverride

    func decode(_ body: JSONValue, prefix: String = "") throws(APIError) -> OperationRequest {
        let f = try JSONFields(body, prefix: prefix, allowed: Self.fields)
        guard let target = try f.string("target") else {
            throw APIError(.invalidArgument, "\(f.field("target")) is required", field: f.field("target"))
        }
        var request = OperationRequest(target: target)
        request.id = try f.string("id")
        request.targetType = try f.string("target_type") ?? request.targetType
        request.opType = try f.string("op_type") ?? request.opType
        request.priority = try priority(f)
        request.parent = try f.string("parent")
        request.retryOf = try f.string("retry_of")
        request.retryCount = try f.int("retry_count", min: 0) ?? 0
        request.expectedVersion = try f.int("expected_version", min: 0)
        if let value = f.member("cleanup") {
            do {
                request.cleanup = try cleanup(value, request.opType)
            } catch {
                throw error.prefixed(prefix)
            }
        }
        do {
            try APIError.core { () throws(SextonError) in try request.validate() }
        } catch {
            throw error.prefixed(prefix)
        }
        return request
    }

    private func priority(_ f: JSONFields) throws(APIError) -> Priority {
        let allowed = "an integer 1–10 or one of background, low, normal, high, critical"
        switch f.member("priority") {
        case nil: return .normal
        case .string(let name)?:
            guard let p = Priority(name: name) else {
                throw APIError(.invalidArgument, "\(f.field("priority")) \"\(name)\" is not \(allowed)", field: f.field("priority"))
            }
            return p
        default:
            guard let number = try? f.int("priority"), let p = Priority(number) else {
                throw APIError(.invalidArgument, "\(f.field("priority")) must be \(allowed)", field: f.field("priority"))
            }
            return p
        }
    }
}
