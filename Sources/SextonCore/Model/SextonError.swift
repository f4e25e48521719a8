/// The error codes of CONTRACT §5 that the core raises; the API adds the transport's own
/// (`invalid_json`, `unauthenticated`, `method_not_allowed`, ...) and maps each to its status.
public enum ErrorCode: String, Sendable, CaseIterable {
    case invalidArgument = "invalid_argument"
    case notFound = "not_found"
    case conflict
    case stagingFull = "staging_full"
    /// The shared store (CONTRACT §10) cannot be reached: nothing was applied.
    case storeUnavailable = "store_unavailable"
}

/// An error a caller caused. `field` names the offending input; `operationStatus` and
/// `operationReason` describe the operation a refused transition was aimed at (start after
/// preemption, for example), so the API can answer `{id, status, reason, error}`.
public struct SextonError: Error, Sendable, Equatable {
    public var code: ErrorCode
    public var message: String
    public var field: String?
    public var operationStatus: OperationStatus?
    public var operationReason: String?

    public init(
        _ code: ErrorCode, _ message: String, field: String? = nil,
        operationStatus: OperationStatus? = nil, operationReason: String? = nil
    ) {
        self.code = code
        self.message = message
        self.field = field
        self.operationStatus = operationStatus
        self.operationReason = operationReason
    }
}
