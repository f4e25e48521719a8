import CMicroHTTPD
import Foundation
import Synchronization

/// The server's state shared with MHD's threads through the callbacks' closure pointer.
final class Engine: Sendable {
    let router: Router
    let maxBodyBytes: Int
    let deadlines: RequestDeadlines
    private let onRequest: (@Sendable (HTTPServer.CompletedRequest) -> Void)?
    private let log: (@Sendable (String) -> Void)?

    private struct Shutdown {
        /// Set once the grace period is over: handlers still waiting get a 503.
        var abandoning = false
        var parked: [ObjectIdentifier: Exchange] = [:]
    }

    private let shutdown = Mutex(Shutdown())
    /// Once set, responses carry `Connection: close` so keep-alive clients go away.
    let stopping = Atomic(false)
    let inFlight = Atomic(0)
    private let lastLog = Mutex<String?>(nil)

    init(
        router: Router,
        maxBodyBytes: Int,
        connectionTimeout: Duration,
        onRequest: (@Sendable (HTTPServer.CompletedRequest) -> Void)?,
        log: (@Sendable (String) -> Void)?
    ) {
        self.router = router
        self.maxBodyBytes = maxBodyBytes
        deadlines = RequestDeadlines(timeout: connectionTimeout)
        self.onRequest = onRequest
        self.log = log
    }

    // MARK: Request lifecycle, called from MHD's callbacks

    func open(connection: OpaquePointer, target: String) -> Exchange {
        inFlight.add(1, ordering: .relaxed)
        return Exchange(engine: self, connection: connection, target: target)
    }

    func close(_ exchange: Exchange) {
        deadlines.answered(exchange.connection)
        exchange.finish()
        shutdown.withLock { _ = $0.parked.removeValue(forKey: ObjectIdentifier(exchange)) }
        inFlight.subtract(1, ordering: .releasing)
    }

    /// MHD calls this once with the head, once per body fragment, then with no data until
    /// a response is queued or the connection suspended.
    func access(
        _ exchange: Exchange,
        method: UnsafePointer<CChar>,
        upload: UnsafePointer<CChar>?,
        uploadSize: UnsafeMutablePointer<Int>
    ) -> MHD_Result {
        if !exchange.headSeen { return begin(exchange, method: method) }
        if exchange.discarded > Self.discardAllowance * maxBodyBytes {
            // A body over the limit was answered while it arrived: the rest is not read.
            uploadSize.pointee = 0
            return .YES
        }
        if uploadSize.pointee > 0 {
            let fragment = UnsafeRawBufferPointer(start: upload, count: uploadSize.pointee)
            uploadSize.pointee = 0
            return receive(fragment, into: exchange)
        }
        if !exchange.dispatched { deadlines.received(exchange.connection) }
        if exchange.discarded > 0 { return reject(exchange, .payloadTooLarge(limit: maxBodyBytes)) }
        if !exchange.dispatched { dispatch(exchange) }
        guard let response = exchange.takeAnswerOrPark() else { return .YES }
        return queue(response, for: exchange)
    }

    private func begin(_ exchange: Exchange, method: UnsafePointer<CChar>) -> MHD_Result {
        exchange.headSeen = true
        exchange.method = HTTPMethod(String(cString: method))
        exchange.headers = Self.headers(of: exchange.connection)
        exchange.resolution = router.resolve(exchange.method, rawPath: RequestTarget(exchange.target).path)
        if let length = exchange.headers["Content-Length"].flatMap(Int.init), length > maxBodyBytes {
            return reject(exchange, .payloadTooLarge(limit: maxBodyBytes))
        }
        return .YES
    }

    /// A body that grows past the limit (a chunked one, whose length nobody declared) is read
    /// to its end and thrown away, then answered 413: an answer sent while the client still
    /// sends is usually lost to the reset that closing on unread data causes. A client that
    /// sends more than `discardAllowance` times the limit gets its 413 at once and loses the
    /// connection.
    private func receive(_ fragment: UnsafeRawBufferPointer, into exchange: Exchange) -> MHD_Result {
        if exchange.discarded == 0 && exchange.body.count + fragment.count <= maxBodyBytes {
            exchange.body.append(contentsOf: fragment)
            return .YES
        }
        exchange.discarded += exchange.body.count + fragment.count
        exchange.body = []
        guard exchange.discarded > Self.discardAllowance * maxBodyBytes else { return .YES }
        return reject(exchange, .payloadTooLarge(limit: maxBodyBytes))
    }

    static let discardAllowance = 16

    private func dispatch(_ exchange: Exchange) {
        exchange.dispatched = true
        let request = exchange.request()
        exchange.beginHandling()
        guard case .matched(let route, _) = exchange.resolution else {
            return exchange.answer(router.unrouted(exchange.resolution, request)!)
        }
        do {
            try route.handler(request, Responder(exchange))
        } catch {
            exchange.answer(render(.handlerFailed(message: String(describing: error)), for: request))
        }
    }

    private func reject(_ exchange: Exchange, _ failure: HTTPFailure) -> MHD_Result {
        exchange.dispatched = true
        return queue(render(failure, for: exchange.request()), for: exchange)
    }

    func render(_ failure: HTTPFailure, for request: Request) -> Response {
        router.renderFailure(failure, request)
    }

    private func queue(_ response: Response, for exchange: Exchange) -> MHD_Result {
        let mhdResponse = response.body.withUnsafeBytes { bytes in
            MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
        }
        guard let mhdResponse else { return .NO }
        defer { MHD_destroy_response(mhdResponse) }
        for field in response.headers {
            _ = MHD_add_response_header(mhdResponse, field.name, field.value)
        }
        if stopping.load(ordering: .relaxed) {
            _ = MHD_add_response_header(mhdResponse, "Connection", "close")
        }
        let result = MHD_queue_response(exchange.connection, UInt32(response.status), mhdResponse)
        onRequest?(HTTPServer.CompletedRequest(
            method: exchange.method,
            route: exchange.routeLabel,
            status: response.status,
            duration: ContinuousClock.now - exchange.started
        ))
        return result
    }

    private static func headers(of connection: OpaquePointer) -> HTTPHeaders {
        var headers = HTTPHeaders()
        _ = withUnsafeMutablePointer(to: &headers) { pointer in
            MHD_get_connection_values(connection, .HEADER_KIND, { context, _, name, value in
                guard let context, let name else { return .YES }
                context.assumingMemoryBound(to: HTTPHeaders.self).pointee
                    .add(String(cString: name), value.map { String(cString: $0) } ?? "")
                return .YES
            }, pointer)
        }
        return headers
    }

    // MARK: Shutdown

    /// Registers a handler that has not answered yet; false once waiting is no longer allowed.
    func park(_ exchange: Exchange) -> Bool {
        shutdown.withLock { state in
            guard !state.abandoning else { return false }
            state.parked[ObjectIdentifier(exchange)] = exchange
            return true
        }
    }

    /// Answers every waiting handler with 503 so that no connection stays suspended,
    /// which MHD_stop_daemon forbids.
    func abandonParked() {
        let parked = shutdown.withLock { state in
            state.abandoning = true
            return Array(state.parked.values)
        }
        for exchange in parked { exchange.answer(.shuttingDown) }
    }

    // MARK: Logging

    func record(log message: String) {
        lastLog.withLock { $0 = message }
        log?(message)
    }

    var lastLogMessage: String? { lastLog.withLock { $0 } }
}
