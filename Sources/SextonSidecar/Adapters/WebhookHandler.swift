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

    init(config: WebhookConfig, retention: Duration, client: HTTPClient = OutgoingHTTP.client) {
        self.config = config
        self.retention = retention
        self.client = client
    }

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
            throw HandlerError("webhook \(config.url) \(OutgoingHTTP.describe(error, timeout: config.timeout))")
        }
        guard (200..<300).contains(status) else { throw HandlerError("webhook \(config.url) answered \(status)") }
    }
}
