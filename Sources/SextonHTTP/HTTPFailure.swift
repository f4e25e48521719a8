/// A failure the server answers by itself; the router's renderer turns it into a response body.
public enum HTTPFailure: Sendable, Equatable {
    case notFound
    /// The path exists with other methods; the server adds the `Allow` header.
    case methodNotAllowed(allowed: [HTTPMethod])
    case payloadTooLarge(limit: Int)
    /// A handler threw; `message` is the error's description, for logs rather than clients.
    case handlerFailed(message: String)
    /// The server stopped before a waiting handler answered.
    case shuttingDown

    public var status: Int {
        switch self {
        case .notFound: 404
        case .methodNotAllowed: 405
        case .payloadTooLarge: 413
        case .handlerFailed: 500
        case .shuttingDown: 503
        }
    }

    /// A short English reason, usable as a plain-text body.
    public var reason: String {
        switch self {
        case .notFound: "not found"
        case .methodNotAllowed(let allowed): "method not allowed; allowed: \(allowed.map(\.rawValue).joined(separator: ", "))"
        case .payloadTooLarge(let limit): "request body larger than \(limit) bytes"
        case .handlerFailed: "internal server error"
        case .shuttingDown: "server shutting down"
        }
    }
}
