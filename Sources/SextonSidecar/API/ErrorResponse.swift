import SextonCore
import SextonHTTP

/// The one place an `APIError` becomes an HTTP answer (CONTRACT §5):
/// `{"error":{"code","message","field"}}` with the code's status and headers.
enum ErrorResponse {
    static let retryAfterSeconds = "1"

    static func status(of code: APIErrorCode) -> Int {
        switch code {
        case .invalidJSON, .invalidArgument: 400
        case .unauthenticated: 401
        case .forbidden: 403
        case .notFound: 404
        case .methodNotAllowed: 405
        case .conflict: 409
        case .payloadTooLarge: 413
        case .unsupportedMediaType: 415
        case .stagingFull, .shuttingDown, .storeUnavailable: 503
        }
    }

    static func body(_ error: APIError) -> JSONValue {
        var fields: [(String, JSONValue)] = [("code", .string(error.code.rawValue)), ("message", .string(error.message))]
        if let field = error.field { fields.append(("field", .string(field))) }
        return .object(fields)
    }

    static func make(_ error: APIError, id: String? = nil) -> Response {
        var members: [(String, JSONValue)] = []
        // A refused transition names the operation's own state at the top level.
        if let status = error.operationStatus, let id {
            members.append(("id", .string(id)))
            members.append(("status", .string(status.rawValue)))
            members.append(("reason", error.operationReason.map { .string($0) } ?? .null))
        }
        members.append(("error", body(error)))
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        switch error.code {
        case .unauthenticated: headers.set("WWW-Authenticate", "Bearer")
        case .stagingFull, .shuttingDown, .storeUnavailable: headers.set("Retry-After", retryAfterSeconds)
        default: break
        }
        return Response(status: status(of: error.code), headers: headers, body: JSONValue.object(members).serialized)
    }

    /// The server's own failures (unknown path, wrong method, body too large) in the same shape.
    static func render(_ failure: HTTPFailure, _ request: Request) -> Response {
        switch failure {
        case .notFound:
            make(APIError(.notFound, "no route for \(request.path)"))
        case .methodNotAllowed(let allowed):
            make(APIError(.methodNotAllowed, "\(request.method.rawValue) is not allowed on \(request.path); allowed: \(allowed.map(\.rawValue).joined(separator: ", "))"))
        case .payloadTooLarge(let limit):
            make(APIError(.payloadTooLarge, "request body larger than \(limit) bytes"))
        case .shuttingDown:
            make(APIError(.shuttingDown, "the sidecar is shutting down"))
        case .handlerFailed:
            internalError
        }
    }

    static let internalError = Response(
        status: 500, headers: ["Content-Type": "application/json"],
        body: JSONValue.object([("error", .object([("code", .string("internal")), ("message", .string("internal error"))]))]).serialized)
}
