/// How `withConflictResolution` retries a rejection: exponential backoff with jitter.
public struct ConflictRetryPolicy: Sendable {
    public var maxRetries = 10
    public var baseDelay: Duration = .milliseconds(5)
    public var factor = 1.5
    /// The share of each delay that is random: 0.5 waits between half and all of it.
    public var jitter = 0.5
    public var retryable: Set<RejectReason> = [.targetBusy, .gracePeriod, .versionConflict]
    /// Injectable so tests never really sleep.
    public var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    /// A uniform draw in 0..<1, injectable for deterministic tests.
    public var random: @Sendable () -> Double = { Double.random(in: 0..<1) }

    public init() {}

    /// The wait before retry `retry` (1 for the first retry).
    public func delay(beforeRetry retry: Int) -> Duration {
        var nanos = Double(baseDelay.nanoseconds)
        for _ in 1..<max(retry, 1) { nanos *= factor }
        nanos *= 1 - jitter * random()
        return .nanoseconds(Int64(min(nanos, 3_600e9)))
    }
}

/// `withConflictResolution` gave up: the last attempt was rejected for a reason it does not
/// retry, or every retry was rejected.
public struct OperationRejected: Error, Sendable, Equatable {
    public var decision: Decision
    public var attempts: Int
}
