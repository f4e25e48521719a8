import Logging
import ServiceLifecycle

/// `sexton serve` under swift-service-lifecycle: SIGTERM and SIGINT start the graceful shutdown.
public struct SidecarService: Service {
    let sidecar: Sidecar
    let logger: Logger
    let onStarted: @Sendable () -> Void

    public init(sidecar: Sidecar, logger: Logger, onStarted: @escaping @Sendable () -> Void = {}) {
        self.sidecar = sidecar
        self.logger = logger
        self.onStarted = onStarted
    }

    public func run() async throws {
        let bound = try sidecar.start()
        logger.info("listening", metadata: ["api": "\(bound.api)", "telemetry": "\(bound.telemetry)"])
        onStarted()
        // Returns on SIGTERM/SIGINT (graceful shutdown) or when the group is cancelled.
        try? await gracefulShutdown()
        logger.info("shutting down", metadata: ["timeout": "\(sidecar.core.configuration.shutdownTimeout.prometheusText)"])
        sidecar.shutdown(timeout: sidecar.core.configuration.shutdownTimeout)
        logger.info("stopped")
    }
}
