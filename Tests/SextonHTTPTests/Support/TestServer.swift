import SextonHTTP

/// Runs `body` against a started server on 127.0.0.1 and a free port, then stops it.
func withServer<T>(
    _ router: Router,
    configuration: HTTPServer.Configuration = HTTPServer.Configuration(threadPoolSize: 2),
    onRequest: (@Sendable (HTTPServer.CompletedRequest) -> Void)? = nil,
    _ body: (HTTPServer, BoundAddress) throws -> T
) async throws -> T {
    let server = HTTPServer(configuration: configuration, router: router, onRequest: onRequest)
    let address = try server.start()
    let result = Result { try body(server, address) }
    await server.stop(gracePeriod: .seconds(1))
    return try result.get()
}
