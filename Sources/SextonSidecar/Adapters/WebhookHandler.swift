import AsyncHTTPClient
import NIOCore
import NIOPosix
import SextonCore

/// `webhook`: POSTs the zombie as JSON; a 2xx answer within the timeout means done. The request
/// is asynchronous I/O (AsyncHTTPClient, connections kept alive): a slow or silent endpoint
/// holds one of the engine's handler slots and no thread.
final class WebhookHandler: CleanupHandler {
    let config: WebhookConfig
    let retention: Duration
    private let client: HTTPClient

    init(config: WebhookConfig, retention: Duration, client: HTTPClient = WebhookHandler.client) {
        self.config = config
        self.retention = retention
        self.client = client
    }

    /// One client for the process, never shut down (like `HTTPClient.shared`), allowing as many
    /// connections per endpoint as the engine runs handlers, so none waits behind a slow one.
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: CleanupTuning.defaultHandlerConcurrency)))

    func handle(_ record: CleanupRecord) async throws {
        var request = HTTPClientRequest(url: config.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in config.headers { request.headers.replaceOrAdd(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: ZombieRecordJSON.make(record).serialized))
        let status: UInt
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(config.timeout.nanoseconds))
            status = response.status.code
            // Read the (small) answer to the end, so the connection can be reused.
            _ = try await response.body.collect(upTo: 64 * 1024)
        } catch {
            throw HandlerError("webhook \(config.url) \(describe(error))")
        }
        guard (200..<300).contains(status) else { throw HandlerError("webhook \(config.url) answered \(status)") }
    }

    /// What went wrong in the words an operator reads in a log line.
    private func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded: return "timed out after \(config.timeout.prometheusText)"
            case .connectTimeout: return "could not connect within \(config.timeout.prometheusText)"
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
