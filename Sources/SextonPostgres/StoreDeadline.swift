import SextonCore

/// The store did not answer within the deadline (the pool waits for a connection forever
/// while the server is down, so every call is bounded by one).
public struct StoreDeadlineExceeded: Error, CustomStringConvertible {
    public let deadline: Duration
    public var description: String { "did not answer within \(deadline.prometheusText)" }
}

/// `body`, or `StoreDeadlineExceeded` once `deadline` has passed (`body` is cancelled).
public func withDeadline<T: Sendable>(_ deadline: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: deadline)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw StoreDeadlineExceeded(deadline: deadline) }
        return value
    }
}
