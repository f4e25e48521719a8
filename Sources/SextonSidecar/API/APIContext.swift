import SextonCore
import SextonHTTP
import Synchronization

/// What the API handlers work on: the store, its cleanup, the clock and the process's phase.
struct APIContext: Sendable {
    let store: any OperationStore
    let cleanup: any ZombieCleanup
    let clock: any SextonClock
    let phase: @Sendable () -> Phase
    let decoding: OperationRequestDecoding
    let adminToken: AdminToken?
    /// The effective configuration as `GET /admin/cleanup/status` shows it (secrets redacted).
    let effectiveConfiguration: JSONValue

    /// Runs `body`; an `APIError` or the core's `SextonError` becomes its contract response. Anything else is a bug and
    /// answers 500 without details.
    static func answer(id: String? = nil, _ body: () throws -> (Int, JSONValue)) -> Response {
        do {
            let (status, value) = try body()
            return Response(status: status, headers: TelemetryRoutes.jsonHeaders, body: value.serialized)
        } catch {
            return refusal(error, id: id)
        }
    }

    /// Runs `body`: its value, or nil once `responder` has the response its error gets.
    static func check<T>(id: String? = nil, answering responder: Responder, _ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch {
            responder.respond(refusal(error, id: id))
            return nil
        }
    }

    private static func refusal(_ error: any Error, id: String?) -> Response {
        switch error {
        case let error as APIError: ErrorResponse.make(error, id: id)
        case let error as SextonError: ErrorResponse.make(APIError(error), id: id)
        default: ErrorResponse.internalError
        }
    }

    func refuseWhenShuttingDown() throws(APIError) {
        if phase() == .shuttingDown { throw APIError(.shuttingDown, "the sidecar is shutting down; retry on another instance") }
    }
}
