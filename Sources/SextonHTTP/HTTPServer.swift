import CMicroHTTPD
import Foundation
import Synchronization

/// A small HTTP/1.1 server over libmicrohttpd: an internal epoll thread pool, handlers that
/// may answer later (suspend/resume), body and connection limits, and a clean stop.
public final class HTTPServer: Sendable {
    /// What the `onRequest` hook learns about each answered request; `route` is the matched
    /// pattern or `unmatched`, so it can label metrics without ids.
    public struct CompletedRequest: Sendable {
        public let method: HTTPMethod
        public let route: String
        public let status: Int
        public let duration: Duration
    }

    public let configuration: Configuration
    private let engine: Engine
    private let running = Mutex<Running?>(nil)

    private struct Running: @unchecked Sendable {
        let daemon: OpaquePointer
        let address: BoundAddress
        /// Closes connections that have not sent a whole request in time.
        let sweeper: Task<Void, Never>
    }

    /// - Parameters:
    ///   - onRequest: called on the serving thread after each response is queued.
    ///   - log: receives libmicrohttpd's own messages (malformed requests, socket errors);
    ///     they are dropped when nil.
    public init(
        configuration: Configuration = Configuration(),
        router: Router,
        onRequest: (@Sendable (CompletedRequest) -> Void)? = nil,
        log: (@Sendable (String) -> Void)? = nil
    ) {
        self.configuration = configuration
        engine = Engine(
            router: router, maxBodyBytes: configuration.maxBodyBytes, connectionTimeout: configuration.connectionTimeout,
            onRequest: onRequest, log: log)
    }

    deinit {
        if let daemon = take() { close(daemon) }
    }

    public var boundAddress: BoundAddress? { running.withLock { $0?.address } }

    /// Requests received and not yet answered, waiting handlers included.
    public var inFlightRequests: Int { engine.inFlight.load(ordering: .acquiring) }

    /// Binds and starts serving; returns the bound address (the real port when port was 0).
    @discardableResult
    public func start() throws -> BoundAddress {
        try running.withLock { running in
            guard running == nil else { throw HTTPServerError.alreadyStarted(name: configuration.name) }
            Self.ignoreSIGPIPE()
            let listener = try ListenSocket.open(host: configuration.host, port: configuration.port, name: configuration.name)
            guard let daemon = startDaemon(listenFD: listener.fd) else {
                Glibc.close(listener.fd)
                throw HTTPServerError.cannotStart(
                    name: configuration.name,
                    address: listener.address.description,
                    reason: engine.lastLogMessage ?? "libmicrohttpd refused the configuration"
                )
            }
            let deadlines = engine.deadlines
            let sweeper = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(250))
                    deadlines.sweep()
                }
            }
            running = Running(daemon: daemon, address: listener.address, sweeper: sweeper)
            return listener.address
        }
    }

    /// Stops accepting at once, lets in-flight requests finish for up to `gracePeriod`,
    /// answers handlers still waiting with 503, then closes every connection. Idempotent.
    public func stop(gracePeriod: Duration = .seconds(10)) async {
        guard let daemon = take() else { return }
        let listenFD = MHD_quiesce_daemon(daemon)
        await waitForInFlight(until: .now + gracePeriod)
        // The 503s queued for parked handlers need a moment to reach their clients.
        engine.abandonParked()
        await waitForInFlight(until: .now + .milliseconds(500))
        close(daemon)
        if listenFD >= 0 { Glibc.close(listenFD) }
    }

    private func take() -> OpaquePointer? {
        running.withLock { running in
            defer { running = nil }
            engine.stopping.store(true, ordering: .relaxed)
            running?.sweeper.cancel()
            return running?.daemon
        }
    }

    /// Ends the daemon; its polling thread has no work left by then, so the join is short.
    private func close(_ daemon: OpaquePointer) {
        engine.abandonParked()
        MHD_stop_daemon(daemon)
    }

    /// libmicrohttpd may write to sockets the peer has closed; without this a SIGPIPE
    /// would kill the process. Called by `start()`.
    public static func ignoreSIGPIPE() {
        signal(SIGPIPE, SIG_IGN)
    }

    private func waitForInFlight(until deadline: ContinuousClock.Instant) async {
        while engine.inFlight.load(ordering: .acquiring) > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    private func startDaemon(listenFD: Int32) -> OpaquePointer? {
        var flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue
        flags |= MHD_ALLOW_SUSPEND_RESUME.rawValue | MHD_USE_ERROR_LOG.rawValue
        var settings = sexton_mhd_settings()
        settings.flags = flags
        settings.listen_fd = listenFD
        settings.connection_limit = UInt32(clamping: configuration.maxConnections)
        settings.per_ip_connection_limit = UInt32(clamping: configuration.maxConnectionsPerClient ?? 0)
        settings.connection_timeout_seconds = UInt32(clamping: max(1, configuration.connectionTimeout.components.seconds))
        settings.connection_memory_limit = configuration.perConnectionMemoryLimit
        settings.thread_pool_size = UInt32(clamping: configuration.threadPoolSize)
        settings.access_handler = accessHandler
        settings.request_completed = requestCompleted
        settings.uri_logger = uriLogger
        settings.error_logger = errorLogger
        settings.notify_connection = notifyConnection
        settings.context = Unmanaged.passUnretained(engine).toOpaque()
        return sexton_mhd_start(&settings)
    }
}

// The C callbacks receive the engine as their closure pointer; the server owns the engine
// and outlives the daemon, so an unretained reference is enough.

private func engine(_ context: UnsafeMutableRawPointer?) -> Engine {
    Unmanaged<Engine>.fromOpaque(context!).takeUnretainedValue()
}

private let uriLogger: sexton_mhd_uri_logger = { context, uri, connection in
    let exchange = engine(context).open(connection: connection!, target: String(cString: uri!))
    return Unmanaged.passRetained(exchange).toOpaque()
}

private let accessHandler: MHD_AccessHandlerCallback = { context, _, _, method, _, upload, uploadSize, state in
    guard let state = state?.pointee, let method, let uploadSize else { return .NO }
    let exchange = Unmanaged<Exchange>.fromOpaque(state).takeUnretainedValue()
    return engine(context).access(exchange, method: method, upload: upload, uploadSize: uploadSize)
}

private let notifyConnection: MHD_NotifyConnectionCallback = { context, connection, _, code in
    guard let connection else { return }
    let deadlines = engine(context).deadlines
    if code == MHD_ConnectionNotificationCode(rawValue: 0) { // MHD_CONNECTION_NOTIFY_STARTED
        deadlines.opened(connection, fd: sexton_mhd_connection_fd(connection))
    } else {
        deadlines.closed(connection)
    }
}

private let requestCompleted: MHD_RequestCompletedCallback = { context, _, state, _ in
    guard let state, let pointer = state.pointee else { return }
    state.pointee = nil
    engine(context).close(Unmanaged<Exchange>.fromOpaque(pointer).takeRetainedValue())
}

private let errorLogger: MHD_LogCallback = { context, format, arguments in
    guard let format, let arguments else { return }
    var buffer = [CChar](repeating: 0, count: 512)
    _ = vsnprintf(&buffer, buffer.count, format, arguments)
    let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
    engine(context).record(log: message)
}
