import SextonCore
import SextonHTTP
import Synchronization

/// What the API handlers work on: the store, the cleanup engine, the clock and the process's phase.
struct APIContext: Sendable {
    let store: any OperationStore
    let engine: CleanupEngine
    let clock: any SextonClock
    let phase: @Sendable () -> Phase
    let decoding: OperationRequestDecoding
    let adminToken: AdminToken?
    /// The effective configuration as `GET /admin/cleanup/status` shows it (secrets redacted).
    let effectiveConfiguration: JSONValue

    /// Runs `body`; a `SextonError` becomes its contract response. Anything else is a bug and
    /// answers 500 without details.
    static func answer(id: String? = nil, _ body: () throws -> (Int, JSONValue)) -> Response {
        switch check(id: id, body) {
        case .passed(let (status, value)): Response(status: status, headers: TelemetryRoutes.jsonHeaders, body: value.serialized)
        case .refused(let response): response
        }
    }

    /// Runs `body`: its value, or the response its error gets.
    static func check<T>(id: String? = nil, _ body: () throws -> T) -> Checked<T> {
        do {
            return .passed(try body())
        } catch let error as SextonError {
            return .refused(ErrorResponse.make(error, id: id))
        } catch {
            return .refused(ErrorResponse.internalError)
        }
    }

    enum Checked<T> {
        case passed(T)
        case refused(Response)

        var refusal: Response? { if case .refused(let response) = self { response } else { nil } }
    }

    func refuseWhenShuttingDown() throws(SextonError) {
        if phase() == .shuttingDown { throw SextonError(.shuttingDown, "the sidecar is shutting down; retry on another instance") }
    }
}
