/// Routes by method and path pattern. Patterns are literal segments and `{name}` parameters:
/// `/v1/operations/{id}/start`. Built before the server starts, then read-only.
public struct Router: Sendable {
    /// Answers at once, on the server's thread; a thrown error becomes a 500.
    public typealias Handler = @Sendable (Request) throws -> Response
    /// Answers through the responder, from any thread, whenever it is ready; the connection
    /// is parked meanwhile so other requests keep being served.
    public typealias DeferredHandler = @Sendable (Request, Responder) throws -> Void
    /// Renders the responses the server produces itself (404, 405, 413, 500, 503).
    public typealias FailureRenderer = @Sendable (HTTPFailure, Request) -> Response

    public var renderFailure: FailureRenderer
    private var routes: [Route] = []

    public init(renderFailure: @escaping FailureRenderer = Router.plainText) {
        self.renderFailure = renderFailure
    }

    public static let plainText: FailureRenderer = { failure, _ in
        Response(status: failure.status, text: failure.reason + "\n")
    }

    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping Handler) {
        addDeferred(method, pattern) { request, responder in responder.respond(try handler(request)) }
    }

    public mutating func addDeferred(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping DeferredHandler) {
        let route = Route(method: method, pattern: pattern, handler: handler)
        precondition(
            !routes.contains { $0.method == method && $0.segments == route.segments },
            "duplicate route \(method) \(pattern)"
        )
        routes.append(route)
    }

    /// Answers a request as a server would, without a socket (tests of handlers and of whole
    /// APIs): the route resolved, 404 and 405 (with `Allow`) rendered by `renderFailure`, a
    /// thrown error a 500, a deferred handler waited for. The body is kept for HEAD too.
    public func respond(
        _ method: HTTPMethod, _ target: String, headers: HTTPHeaders = [:], body: [UInt8] = []
    ) async -> Response {
        let resolution = resolve(method, rawPath: RequestTarget(target).path)
        guard case .matched(let route, let parameters) = resolution else {
            return unrouted(resolution, Request(method: method, target: target, headers: headers, body: body))!
        }
        let request = Request(method: method, target: target, headers: headers, body: body, pathParameters: parameters, route: route.pattern)
        let waiter = Responder.Waiter()
        let render = renderFailure
        do {
            try route.handler(request, Responder(waiter) { render($0, request) })
        } catch {
            waiter.answer(render(.handlerFailed(message: String(describing: error)), request))
        }
        return await waiter.wait()
    }

    /// The answer to a request no route takes: 404, or 405 naming the allowed methods; nil
    /// when a route matched.
    func unrouted(_ resolution: Resolution, _ request: Request) -> Response? {
        switch resolution {
        case .matched:
            return nil
        case .notFound:
            return renderFailure(.notFound, request)
        case .methodNotAllowed(_, let allowed):
            var response = renderFailure(.methodNotAllowed(allowed: allowed), request)
            response.headers.set("Allow", allowed.map(\.rawValue).joined(separator: ", "))
            return response
        }
    }

    enum Resolution {
        case matched(Route, parameters: [String: String])
        case methodNotAllowed(pattern: String, allowed: [HTTPMethod])
        case notFound
    }

    /// The most literal route matching the path wins, so `/v1/operations/batch` beats
    /// `/v1/operations/{id}`. HEAD falls back to GET, as RFC 9110 §9.3.2 allows.
    func resolve(_ method: HTTPMethod, rawPath: Substring) -> Resolution {
        let segments = rawPath.split(separator: "/", omittingEmptySubsequences: false)
        let matches = routes.compactMap { route in route.match(segments).map { (route: route, parameters: $0) } }
        guard !matches.isEmpty else { return .notFound }
        if let hit = Self.mostLiteral(matches, method) ?? (method == .head ? Self.mostLiteral(matches, .get) : nil) {
            return .matched(hit.route, parameters: hit.parameters)
        }
        var allowed = Set(matches.map(\.route.method))
        if allowed.contains(.get) { allowed.insert(.head) }
        let pattern = matches.max { $0.route.literalCount < $1.route.literalCount }!.route.pattern
        return .methodNotAllowed(pattern: pattern, allowed: allowed.sorted())
    }

    private static func mostLiteral(
        _ matches: [(route: Route, parameters: [String: String])],
        _ method: HTTPMethod
    ) -> (route: Route, parameters: [String: String])? {
        matches.filter { $0.route.method == method }.max { $0.route.literalCount < $1.route.literalCount }
    }
}

struct Route: Sendable {
    enum Segment: Equatable {
        case literal(String)
        case parameter(String)
    }

    let method: HTTPMethod
    let pattern: String
    let segments: [Segment]
    let literalCount: Int
    let handler: Router.DeferredHandler

    init(method: HTTPMethod, pattern: String, handler: @escaping Router.DeferredHandler) {
        precondition(pattern.hasPrefix("/"), "route pattern must start with /: \(pattern)")
        self.method = method
        self.pattern = pattern
        self.handler = handler
        segments = pattern.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix("{") && part.hasSuffix("}") && part.count > 2
                ? .parameter(String(part.dropFirst().dropLast()))
                : .literal(String(part))
        }
        literalCount = segments.count { if case .literal = $0 { true } else { false } }
    }

    /// Literal segments compare decoded, so `/a%62c` reaches `/abc`; a parameter may hold an
    /// encoded `/` because segments are split before decoding.
    func match(_ rawSegments: [Substring]) -> [String: String]? {
        guard rawSegments.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, raw) in zip(segments, rawSegments) {
            let decoded = PercentDecoding.decode(raw)
            switch segment {
            case .literal(let literal):
                guard literal == decoded else { return nil }
            case .parameter(let name):
                guard !decoded.isEmpty else { return nil }
                parameters[name] = decoded
            }
        }
        return parameters
    }
}
