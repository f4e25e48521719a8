import CMicroHTTPD
import Synchronization

/// One request, from its request line (MHD's URI callback) to MHD's completion callback.
/// Everything but `phase` is touched only by the MHD thread serving the connection, which
/// never calls the access handler for one connection concurrently.
final class Exchange: @unchecked Sendable {
    enum Phase {
        case receiving
        /// The handler runs and has not answered yet.
        case handling
        /// The handler returned without answering; the connection is suspended in MHD.
        case parked
        case answered(Response)
        case finished
    }

    let connection: OpaquePointer
    let target: String
    let started = ContinuousClock.now

    var headSeen = false
    var dispatched = false
    var method = HTTPMethod.get
    var headers = HTTPHeaders()
    var resolution = Router.Resolution.notFound
    var body: [UInt8] = []
    /// Bytes received beyond the body limit and thrown away.
    var discarded = 0

    private let engine: Engine
    private let phase = Mutex(Phase.receiving)

    init(engine: Engine, connection: OpaquePointer, target: String) {
        self.engine = engine
        self.connection = connection
        self.target = target
    }

    var routeLabel: String {
        switch resolution {
        case .matched(let route, _): route.pattern
        case .methodNotAllowed(let pattern, _): pattern
        case .notFound: "unmatched"
        }
    }

    func request() -> Request {
        var parameters: [String: String] = [:]
        var route: String?
        if case .matched(let matched, let values) = resolution {
            parameters = values
            route = matched.pattern
        }
        return Request(method: method, target: target, headers: headers, body: body, pathParameters: parameters, route: route)
    }

    func beginHandling() {
        phase.withLock { $0 = .handling }
    }

    /// First answer wins; resumes the connection when the handler had already returned.
    func answer(_ response: Response) {
        let resume = phase.withLock { phase -> Bool in
            switch phase {
            case .handling:
                phase = .answered(response)
                return false
            case .parked:
                phase = .answered(response)
                return true
            case .receiving, .answered, .finished:
                return false
            }
        }
        if resume { MHD_resume_connection(connection) }
    }

    func answer(_ failure: HTTPFailure) {
        answer(engine.render(failure, for: request()))
    }

    /// Called on the MHD thread after the handler returned or after a resume: the answer to
    /// queue now, or nil once the connection is suspended to wait for one.
    func takeAnswerOrPark() -> Response? {
        phase.withLock { phase -> Response? in
            switch phase {
            case .answered(let response):
                phase = .finished
                return response
            case .handling:
                // Suspending under the lock keeps a concurrent `answer` from resuming first.
                guard engine.park(self) else {
                    phase = .finished
                    return engine.render(.shuttingDown, for: request())
                }
                phase = .parked
                MHD_suspend_connection(connection)
                return nil
            case .receiving, .parked, .finished:
                return nil
            }
        }
    }

    func finish() {
        phase.withLock { $0 = .finished }
    }
}
