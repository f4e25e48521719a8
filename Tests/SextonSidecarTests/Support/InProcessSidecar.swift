import Foundation
import Logging
import SextonCore
import SextonCoreTesting
import SextonHTTP
@testable import SextonSidecar

/// A `Sidecar` answering through its routers in-process, on a manual clock: API behaviour
/// without a process, a socket or a real sleep. Time moves only by `advance`, which also
/// resolves the staging windows it passes and runs the core's timed work (maintenance, cleanup).
/// The replies are the binary tests' `HTTPReply`, so a test reads the same either way.
final class InProcessSidecar: Sendable {
    let clock = ManualClock()
    let scheduler: ManualScheduler
    let sidecar: Sidecar

    /// `flags` as `sexton serve` takes them; staging windows resolve at once unless a flag says
    /// otherwise, as most tests want, and memory pressure is a calm fixture's, not this machine's.
    init(_ flags: [String] = []) throws {
        let arguments = ["--coordinator-staging-window", "0s"] + (try calmMemoryFlags()) + flags
        let configuration = try ConfigurationLoader.load(file: nil, environment: [:], arguments: arguments)
            .mapError { ClientError("configuration: \($0)") }.get()
        scheduler = ManualScheduler(clock: clock)
        sidecar = Sidecar(configuration: configuration, logger: Logger(label: "in-process"), clock: clock, scheduler: scheduler)
        sidecar.core.cleanup.markStarted()
        sidecar.core.set(.serving)
    }

    var core: SidecarCore { sidecar.core }

    /// `method path` on the API (or telemetry) routes; a JSON body when `json` (an object) or
    /// `rawBody` (any bytes, typed JSON) is given.
    func call(
        _ method: HTTPMethod, _ path: String, _ json: Any? = nil, rawBody: [UInt8]? = nil, headers: [String: String] = [:],
        on listener: SextonProcess.Listener = .api
    ) async throws -> HTTPReply {
        var fields = HTTPHeaders(headers.map { (name: $0.key, value: $0.value) })
        var body = rawBody ?? []
        if let json { body = Array(try JSONSerialization.data(withJSONObject: json)) }
        if json != nil || rawBody != nil { fields.set("Content-Type", "application/json") }
        let router = listener == .api ? sidecar.apiRouter : sidecar.telemetryRouter
        let response = await router.respond(method, path, headers: fields, body: body)
        return HTTPReply(status: response.status, headers: response.headers.map { (name: $0.name, value: $0.value) }, body: response.body)
    }

    func submit(_ target: String, _ fields: [String: Any] = [:]) async throws -> HTTPReply {
        try await call(.post, "/v1/operations", fields.merging(["target": target]) { own, _ in own })
    }

    func get(_ path: String, on listener: SextonProcess.Listener = .api) async throws -> HTTPReply {
        try await call(.get, path, on: listener)
    }

    func metrics() async throws -> MetricSamples {
        MetricSamples(try await get("/metrics", on: .telemetry).body)
    }

    /// Moves the clock, resolves the windows that closed and runs the maintenance and cleanup due.
    func advance(by duration: Duration) async {
        scheduler.advance(by: duration)
        await core.stepTimedWork()
    }

    /// Waits (without moving the clock) until `count` submissions are staged, for a test that
    /// sends several into one window before closing it.
    func waitUntilStaged(_ count: Int) async {
        while core.coordinator.snapshot().staged < count { await Task.yield() }
    }
}
