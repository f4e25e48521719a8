import SextonCore
import Synchronization

/// The store did not answer within the deadline (the pool waits for a connection forever
/// while the server is down, so every call is bounded by one).
public struct StoreDeadlineExceeded: Error, CustomStringConvertible {
    public let deadline: Duration
    public var description: String { "did not answer within \(deadline.prometheusText)" }
}

/// `body`, or `StoreDeadlineExceeded` once `deadline` has passed; `body` is then cancelled but
/// not waited for: a query on a connection the server cut (a restart) may not notice its
/// cancellation for a long time, and the request must still answer at its deadline.
public func withDeadline<T: Sendable>(_ deadline: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let race = DeadlineRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.start(continuation, deadline: deadline, body)
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The body and the timer of one `withDeadline`; whichever finishes first answers and cancels
/// the other.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        /// An answer that came before the continuation (the caller cancelled at once).
        var early: Result<T, any Error>?
        var finished = false
        var work: Task<Void, Never>?
        var timer: Task<Void, Never>?
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>, deadline: Duration, _ body: @escaping @Sendable () async throws -> T) {
        let early = state.withLock { s -> Result<T, any Error>? in
            if let early = s.early { return early }
            s.continuation = continuation
            return nil
        }
        if let early {
            continuation.resume(with: early)
            return
        }
        let work = Task {
            do {
                self.finish(.success(try await body()))
            } catch {
                self.finish(.failure(error))
            }
        }
        let timer = Task {
            guard (try? await Task.sleep(for: deadline)) != nil else { return }
            self.finish(.failure(StoreDeadlineExceeded(deadline: deadline)))
        }
        let finished = state.withLock { s -> Bool in
            s.work = work
            s.timer = timer
            return s.finished
        }
        if finished {
            work.cancel()
            timer.cancel()
        }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, work, timer) = state.withLock { s -> (CheckedContinuation<T, any Error>?, Task<Void, Never>?, Task<Void, Never>?) in
            guard !s.finished else { return (nil, nil, nil) }
            s.finished = true
            guard let continuation = s.continuation else {
                s.early = result
                return (nil, nil, nil)
            }
            s.continuation = nil
            return (continuation, s.work, s.timer)
        }
        work?.cancel()
        timer?.cancel()
        continuation?.resume(with: result)
    }
}

/// One round with the database, bounded by `deadline` and timed for `observer`; a refusal (a
/// `SextonError` such as a 409) is an answer, not a failure of the store.
func timedRound<T: Sendable>(
    _ operation: StoreOperation, deadline: Duration, observer: (any StoreObserver)?, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let started = ContinuousClock.now
    do {
        let value = try await withDeadline(deadline, body)
        observer?.storeRound(operation, duration: ContinuousClock.now - started, failed: false)
        return value
    } catch {
        let failed = PostgresOperationStore.sextonError(error).code == .storeUnavailable
        observer?.storeRound(operation, duration: ContinuousClock.now - started, failed: failed)
        throw error
    }
}
