public enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Resolving, binding or listening failed; `reason` is the system's message.
    case cannotListen(name: String, address: String, reason: String)
    /// libmicrohttpd refused to start; `reason` is its last log line, if any.
    case cannotStart(name: String, address: String, reason: String)
    case alreadyStarted(name: String)

    public var description: String {
        switch self {
        case let .cannotListen(name, address, reason): "\(name): cannot listen on \(address): \(reason)"
        case let .cannotStart(name, address, reason): "\(name): cannot start the HTTP server on \(address): \(reason)"
        case let .alreadyStarted(name): "\(name): the HTTP server was already started"
        }
    }
}
