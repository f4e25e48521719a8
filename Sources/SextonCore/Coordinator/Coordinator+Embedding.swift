/// The Swift API for applications that embed Sexton.
extension Coordinator {
    /// Submits an operation on `target` and runs `body` only once it is admitted: start, body,
    /// then complete `succeeded` (or `failed` if `body` throws, rethrowing its error). Rejections
    /// whose reason `retries` lists are retried as new attempts (`retry_of` the previous one).
    ///
    /// Throws `OperationRejected` when it gives up, or a `SextonError` from the coordinator
    /// (a limit, or `conflict` when the operation was preempted or expired while `body` ran).
    public func withConflictResolution<T: Sendable>(
        target: String, priority: Priority = .normal, opType: String = "default", targetType: String = "default",
        cleanup: CleanupOverride? = nil, retries: ConflictRetryPolicy = ConflictRetryPolicy(),
        _ body: (Decision) async throws -> T
    ) async throws -> T {
        var previous: String?
        var attempt = 0
        while true {
            let decision = try await submit(OperationRequest(
                target: target, targetType: targetType, opType: opType, priority: priority, retryOf: previous,
                retryCount: attempt, cleanup: cleanup))
            attempt += 1
            if decision.isAdmitted { return try await run(decision, body) }
            guard let reason = decision.reason, retries.retryable.contains(reason), attempt <= retries.maxRetries else {
                throw OperationRejected(decision: decision, attempts: attempt)
            }
            previous = decision.id
            try await retries.sleep(retries.delay(beforeRetry: attempt))
        }
    }

    private func run<T>(_ decision: Decision, _ body: (Decision) async throws -> T) async throws -> T {
        try start(decision.id)
        let value: T
        do {
            value = try await body(decision)
        } catch {
            // The body's error is what the caller needs; a refused report only means the
            // operation already ended (preempted or expired) while the body ran.
            try? complete(decision.id, outcome: .failed, error: String(describing: error))
            throw error
        }
        try complete(decision.id, outcome: .succeeded)
        return value
    }
}
