import Dispatch
import SextonHTTP
import SextonTestSupport
import Synchronization

/// Collects the responders of deferred handlers so a test can answer them when it chooses.
final class ParkedResponders: Sendable {
    private let responders = Mutex<[Responder]>([])
    private let arrivals = DispatchSemaphore(value: 0)

    var handler: Router.DeferredHandler {
        { [self] _, responder in
            responders.withLock { $0.append(responder) }
            arrivals.signal()
        }
    }

    /// Blocks until a handler parked its responder, then returns it (oldest first).
    func next() throws -> Responder {
        guard arrivals.wait(timeout: .now() + 5) == .success else {
            throw ClientError("no deferred handler was called within 5 s")
        }
        return responders.withLock { $0.removeFirst() }
    }
}
