import Logging
import SextonHTTP

/// The listeners' one construction, shared by `serve` and `simulate --serve`: the configured
/// limits, request counting for `sexton_http_requests_total`, libmicrohttpd's messages at debug.
extension SidecarCore {
    /// `perClient` bounds what one address may hold (the telemetry listener: one client must not
    /// starve the kubelet's probes).
    func listener(_ name: String, at address: ListenAddress, router: Router, perClient: Bool = false, logger: Logger) -> HTTPServer {
        let limits = configuration.limits
        let metrics = self.metrics
        return HTTPServer(
            configuration: .init(
                host: address.host, port: address.port, maxConnections: limits.maxConnections,
                maxConnectionsPerClient: perClient ? limits.maxConnectionsPerClient : nil,
                connectionTimeout: limits.connectionTimeout, maxBodyBytes: limits.maxBodyBytes, name: name),
            router: router,
            onRequest: { metrics.recordHTTPRequest(listener: name, route: $0.route, code: $0.status) },
            log: { logger.debug("\(name) listener: \($0)") })
    }

    func telemetryRouter() -> Router {
        TelemetryRoutes.router(metrics: metrics, snapshot: { [self] in snapshot() })
    }

    func telemetryListener(router: Router, logger: Logger) -> HTTPServer {
        listener("telemetry", at: configuration.listen.telemetry, router: router, perClient: true, logger: logger)
    }
}
