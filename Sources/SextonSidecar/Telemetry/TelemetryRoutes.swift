import SextonCore
import SextonHTTP
import SextonTelemetry

/// The telemetry listener: `/metrics`, the kube-style probes, `/health` and a landing page.
enum TelemetryRoutes {
    static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    static func router(metrics: SextonMetrics, snapshot: @escaping @Sendable () -> SidecarSnapshot) -> Router {
        var router = Router()
        router.add(.get, "/metrics") { _ in
            Response(status: 200, headers: ["Content-Type": metricsContentType], body: metrics.render(snapshot().readings))
        }
        for path in ["/livez", "/healthz"] {
            router.add(.get, path) { request in probe(liveness(snapshot()), request) }
        }
        router.add(.get, "/readyz") { request in probe(readiness(snapshot()), request) }
        router.add(.get, "/health") { _ in
            Response(status: 200, headers: jsonHeaders, body: healthJSON(snapshot()).serialized)
        }
        router.add(.get, "/") { _ in Response(status: 200, text: landingPage, contentType: "text/html; charset=utf-8") }
        return router
    }

    static func liveness(_ s: SidecarSnapshot) -> ProbeReport {
        ProbeReport(probe: "livez", checks: [
            ProbeCheck("ping"),
            ProbeCheck("workers", failure: s.workersAlive ? nil : "a worker thread has stopped"),
        ])
    }

    /// Only what stops the sidecar taking operations fails readiness: a pod must not leave
    /// service because its cleanup is behind.
    static func readiness(_ s: SidecarSnapshot) -> ProbeReport {
        ProbeReport(probe: "readyz", checks: [
            ProbeCheck("ping"),
            ProbeCheck("startup", failure: s.phase == .starting ? "still starting" : nil),
            ProbeCheck("shutdown", failure: s.phase == .shuttingDown ? "shutting down" : nil),
            failing(.staging, s), failing(.store, s),
        ])
    }

    /// A health check as a readiness check: failed while the check fails.
    private static func failing(_ check: HealthCheck, _ s: SidecarSnapshot) -> ProbeCheck {
        ProbeCheck(check.rawValue, failure: s.health.checks[check]?.state == .fail ? s.health.checks[check]?.message : nil)
    }

    private static func probe(_ report: ProbeReport, _ request: Request) -> Response {
        let rendered = report.render(
            verbose: request.query.contains("verbose"), exclude: Set(request.query.values(for: "exclude")))
        return Response(status: rendered.status, text: rendered.body)
    }

    static let jsonHeaders: HTTPHeaders = ["Content-Type": "application/json"]

    static func healthJSON(_ s: SidecarSnapshot) -> JSONValue {
        let checks = HealthCheck.allCases.compactMap { check -> (String, JSONValue)? in
            guard let result = s.health.checks[check] else { return nil }
            return (check.rawValue, .object([
                ("state", .string(result.state.name)), ("value", .double(result.value)), ("message", .string(result.message)),
            ]))
        }
        return .object([
            ("status", .string(s.health.status.name)),
            ("checks", .object(checks)),
            ("total_zombie_operations", .int(s.zombieTotal)),
            ("zombie_counts_by_target_type", .object(s.readings.zombiesByTargetType.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("oldest_zombie_age_seconds", .double(s.readings.oldestZombieAge?.seconds ?? 0)),
            ("memory_pressure", s.readings.memoryPressure.map { .double($0) } ?? .null),
            ("failed_cleanup_handlers", .array(s.failedHandlers.map { .string($0) })),
            ("issues", .array(s.health.issues.map { .string($0) })),
        ])
    }

    static let landingPage = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Sexton</title></head>
        <body>
        <h1>Sexton</h1>
        <p>Pre-registry conflict resolution and zombie cleanup sidecar, version \(BuildInfo.version).</p>
        <ul>
        <li><a href="/metrics">/metrics</a>: Prometheus metrics</li>
        <li><a href="/health">/health</a>: health model as JSON</li>
        <li><a href="/livez?verbose">/livez</a>: liveness probe</li>
        <li><a href="/readyz?verbose">/readyz</a>: readiness probe</li>
        </ul>
        </body></html>

        """
}
