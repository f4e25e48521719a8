import Logging
import ServiceLifecycle
import SextonCore
import SextonHTTP
import SextonTelemetry

/// `sexton serve`: the core behind the API and telemetry listeners, as services of one group.
public final class Sidecar: Sendable {
    public let core: SidecarCore
    private let logger: Logger
    private let api: HTTPServer
    private let telemetry: HTTPServer
    /// What the listeners serve, for answering requests in-process (`Router.respond`).
    let apiRouter: Router
    let telemetryRouter: Router

    /// `clock` and `scheduler` are a test's to move (see `SidecarCore`).
    public init(
        configuration: SextonConfiguration, logger: Logger, clock: any SextonClock = SystemClock(),
        scheduler: (any StagingScheduler)? = nil
    ) {
        let core = SidecarCore(configuration: configuration, logger: logger, clock: clock, scheduler: scheduler)
        self.core = core
        self.logger = logger
        let context = APIContext(
            store: core.store, cleanup: core.cleanup, clock: core.clock, phase: { core.phase },
            decoding: OperationRequestDecoding(cleanup: { value, opType throws(APIError) in
                try OperationCleanupOverride.parse(value, opType: opType, configuration: configuration)
            }),
            adminToken: configuration.admin.token, effectiveConfiguration: configuration.effective)
        var apiRouter = Router(renderFailure: ErrorResponse.render)
        APIRoutes.add(to: &apiRouter, context)
        AdminRoutes.add(to: &apiRouter, context)
        self.apiRouter = apiRouter
        telemetryRouter = core.telemetryRouter()
        api = core.listener("api", at: configuration.listen.api, router: apiRouter, logger: logger)
        telemetry = core.telemetryListener(router: telemetryRouter, logger: logger)
    }

    /// Binds both listeners and is ready; throws, naming the address, when one cannot bind.
    /// Requests that arrive before the services run wait for them (a staging window resolves
    /// once the timers run).
    public func bind() async throws -> (api: BoundAddress, telemetry: BoundAddress) {
        let telemetryAddress = try telemetry.start()
        do {
            let apiAddress = try api.start()
            core.cleanup.markStarted()
            core.set(.serving)
            return (apiAddress, telemetryAddress)
        } catch {
            await telemetry.stop(gracePeriod: .zero)
            throw error
        }
    }

    /// The services of `serve` in start order; a service group stops them in reverse, so on
    /// SIGTERM the API drains first (readiness 503 at once, new operations 503 `shutting_down`,
    /// in-flight requests answered, staging windows still resolving), then the cleanup worker,
    /// maintenance and staging timers stop, and the telemetry listener goes last so probes
    /// answer throughout. Outputs are already durable (the audit log fsyncs each line).
    public func services(extra: [any Service] = []) -> [any Service] {
        let core = self.core
        let api = self.api
        let telemetry = self.telemetry
        let logger = self.logger
        let timeout = core.configuration.shutdownTimeout
        let telemetryService = ListenerService {
            await telemetry.stop(gracePeriod: .seconds(1))
        }
        let apiService = ListenerService {
            logger.info("shutting down", metadata: ["timeout": "\(timeout.prometheusText)"])
            core.set(.shuttingDown)
            let deadline = ContinuousClock.now + timeout
            while api.inFlightRequests > 0 && ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(5))
            }
            await api.stop(gracePeriod: max(.zero, deadline - ContinuousClock.now))
        }
        return [telemetryService] + core.loops + extra + [apiService]
    }
}

/// A bound listener as a service: it serves until graceful shutdown, then runs `stop`.
struct ListenerService: Service {
    let stop: @Sendable () async -> Void

    func run() async throws {
        try? await gracefulShutdown()
        await stop()
    }
}
