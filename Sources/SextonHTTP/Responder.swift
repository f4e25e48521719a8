import Synchronization

/// Delivers a deferred handler's answer. Callable from any thread; the first call wins and
/// later calls are ignored, so a timeout and a late result may race safely. Every deferred
/// request must be answered eventually: a parked connection has no idle timeout, and only
/// `HTTPServer.stop` answers the forgotten ones (503).
public final class Responder: Sendable {
    private enum Destination: Sendable {
        case exchange(Exchange)
        /// `Router.respond`: the first answer goes to the waiting caller.
        case caller(Waiter, render: @Sendable (HTTPFailure) -> Response)
    }

    private let destination: Destination

    init(_ exchange: Exchange) { destination = .exchange(exchange) }

    init(_ waiter: Waiter, render: @escaping @Sendable (HTTPFailure) -> Response) {
        destination = .caller(waiter, render: render)
    }

    public func respond(_ response: Response) {
        switch destination {
        case .exchange(let exchange): exchange.answer(response)
        case .caller(let waiter, _): waiter.answer(response)
        }
    }

    /// Answers with the router's rendering of `failure`.
    public func fail(_ failure: HTTPFailure) {
        switch destination {
        case .exchange(let exchange): exchange.answer(failure)
        case .caller(let waiter, let render): waiter.answer(render(failure))
        }
    }

    /// One caller waiting for one answer; the first answer wins, whether it comes before or
    /// after the caller starts waiting.
    final class Waiter: Sendable {
        private let state = Mutex<(answer: Response?, continuation: CheckedContinuation<Response, Never>?, answered: Bool)>((nil, nil, false))

        func answer(_ response: Response) {
            let waiting = state.withLock { s -> CheckedContinuation<Response, Never>? in
                guard !s.answered else { return nil }
                s.answered = true
                guard let continuation = s.continuation else {
                    s.answer = response
                    return nil
                }
                s.continuation = nil
                return continuation
            }
            waiting?.resume(returning: response)
        }

        func wait() async -> Response {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { s -> Response? in
                    if let answer = s.answer { return answer }
                    s.continuation = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }
}
