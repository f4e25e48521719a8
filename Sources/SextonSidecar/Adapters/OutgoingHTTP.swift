import AsyncHTTPClient
import NIOCore
import SextonCore

/// The process's one HTTP client for what Sexton calls: webhooks, and the operator commands'
/// calls to a running sidecar. Never shut down (like `HTTPClient.shared`); it allows as many
/// connections per endpoint as the engine runs handlers, so no webhook waits behind a slow one.
/// A refused connection fails the call at once instead of being retried until its deadline: the
/// cleanup engine retries handlers on its own schedule, and an operator wants the answer now.
public enum OutgoingHTTP {
    public static let client: HTTPClient = {
        var pool = HTTPClient.Configuration.ConnectionPool(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: CleanupTuning.defaultHandlerConcurrency)
        pool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(connectionPool: pool))
    }()

    /// What went wrong with a call, in the words an operator reads in a log line.
    static func describe(_ error: any Error, timeout: Duration) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded: return "timed out after \(timeout.prometheusText)"
            case .connectTimeout: return "could not connect within \(timeout.prometheusText)"
            case .remoteConnectionClosed: return "closed the connection without answering"
            default: return "failed: \(error)"
            }
        }
        let text = String(describing: error)
        if text.contains("Connection refused") { return "refused the connection" }
        if let error = error as? IOError { return "failed: \(error.description)" }
        return "failed: \(text)"
    }
}
