import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SextonCore
import Synchronization

/// `webhook`: POSTs the zombie as JSON; a 2xx answer within the timeout means done.
final class WebhookHandler: CleanupHandler {
    let config: WebhookConfig
    let retention: Duration
    private let session: URLSession

    init(config: WebhookConfig, retention: Duration) {
        self.config = config
        self.retention = retention
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = config.timeout.seconds
        configuration.timeoutIntervalForResource = config.timeout.seconds
        session = URLSession(configuration: configuration)
    }

    func handle(_ zombie: Zombie, strategy: StrategyLabel, cleanedAt: Timestamp) throws {
        guard let url = URL(string: config.url) else { throw HandlerError("bad webhook URL \(config.url)") }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for (name, value) in config.headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = Data(ZombieRecordJSON.make(zombie, strategy: strategy, cleanedAt: cleanedAt).serialized)

        // Handlers are synchronous (the engine calls them outside its locks); wait for the answer.
        let outcome = Mutex<Result<Int, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        session.dataTask(with: request) { _, response, error in
            outcome.withLock {
                $0 = error.map { .failure($0) } ?? .success((response as? HTTPURLResponse)?.statusCode ?? 0)
            }
            done.signal()
        }.resume()
        if done.wait(timeout: .now() + config.timeout.seconds + 1) == .timedOut {
            throw HandlerError("webhook \(config.url) did not answer within \(config.timeout.prometheusText)")
        }
        switch outcome.withLock({ $0 }) {
        case .success(let status)? where (200..<300).contains(status): return
        case .success(let status)?: throw HandlerError("webhook \(config.url) answered \(status)")
        case .failure(let error)?: throw HandlerError("webhook \(config.url) failed: \(error.localizedDescription)")
        case nil: throw HandlerError("webhook \(config.url) gave no answer")
        }
    }
}
