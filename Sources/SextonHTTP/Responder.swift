/// Delivers a deferred handler's answer. Callable from any thread; the first call wins and
/// later calls are ignored, so a timeout and a late result may race safely. Every deferred
/// request must be answered eventually: a parked connection has no idle timeout, and only
/// `HTTPServer.stop` answers the forgotten ones (503).
public final class Responder: Sendable {
    private let exchange: Exchange

    init(_ exchange: Exchange) { self.exchange = exchange }

    public func respond(_ response: Response) {
        exchange.answer(response)
    }

    /// Answers with the router's rendering of `failure`.
    public func fail(_ failure: HTTPFailure) {
        exchange.answer(failure)
    }
}
