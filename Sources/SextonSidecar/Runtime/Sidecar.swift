import Foundation
import Logging
import SextonCore
import SextonHTTP
import SextonTelemetry

/// `sexton serve`: the core behind the API and telemetry listeners.
public final class Sidecar: Sendable {
    public let core: SidecarCore
    private let logger: Logger
    private let api: HTTPServer
    private let telemetry: HTTPServer

    public init(configuration: SextonConfiguration, logger: Logger) {
        let core = SidecarCore(configuration: configuration, logger: logger)
        self.core = core
        self.logger = logger
        let context = APIContext(
            coordinator: core.coordinator, engine: core.engine, clock: core.clock, phase: { core.phase },
            decoding: OperationRequestDecoding(cleanup: { value, opType throws(SextonError) in
                try OperationCleanupOverride.parse(value, opType: opType, configuration: configuration)
            }),
            adminToken: configuration.admin.token, effectiveConfiguration: configuration.effectiveJSON)
        var apiRouter = Router(renderFailure: ErrorResponse.render)
        APIRoutes.add(to: &apiRouter, context)
        AdminRoutes.add(to: &apiRouter, context)
        api = core.listener("api", at: configuration.listen.api, router: apiRouter, logger: logger)
        telemetry = core.telemetryListener(logger: logger)
    }

    /// Binds both listeners and starts the work; throws, naming the address, when one cannot bind.
    public func start() throws -> (api: BoundAddress, telemetry: BoundAddress) {
        let telemetryAddress = try telemetry.start()
        let apiAddress: BoundAddress
        do {
            apiAddress = try api.start()
        } catch {
            telemetry.stop(gracePeriod: .zero)
            throw error
        }
        core.startWork()
        core.set(.serving)
        return (apiAddress, telemetryAddress)
    }

    /// Readiness turns 503 at once and new operations get 503 `shutting_down` while in-flight
    /// requests finish (up to `timeout`); then the listeners close and the work stops. Handlers
    /// outputs are already durable (the audit log fsyncs each line); the telemetry listener goes
    /// last so probes answer throughout.
    public func shutdown(timeout: Duration) {
        core.set(.shuttingDown)
        let deadline = ContinuousClock.now + timeout
        while api.inFlightRequests > 0 && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.005)
        }
        api.stop(gracePeriod: max(.zero, deadline - ContinuousClock.now))
        core.stopWork()
        telemetry.stop(gracePeriod: max(.zero, min(.seconds(1), deadline - ContinuousClock.now)))
    }
}
