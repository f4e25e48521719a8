import SextonCore

/// Every error code of CONTRACT §5: the core's (`ErrorCode`) and those only the transport raises,
/// before the core is asked (a body that is not JSON, a token, a route or method, a size or media
/// type, shutdown).
enum APIErrorCode: String, CaseIterable {
    case invalidJSON = "invalid_json"
    case invalidArgument = "invalid_argument"
    case unauthenticated
    case forbidden
    case notFound = "not_found"
    case methodNotAllowed = "method_not_allowed"
    case conflict
    case payloadTooLarge = "payload_too_large"
    case unsupportedMediaType = "unsupported_media_type"
    case stagingFull = "staging_full"
    case shuttingDown = "shutting_down"
    case storeUnavailable = "store_unavailable"

    init(_ code: ErrorCode) {
        switch code {
        case .invalidArgument: self = .invalidArgument
        case .notFound: self = .notFound
        case .conflict: self = .conflict
        case .stagingFull: self = .stagingFull
        case .storeUnavailable: self = .storeUnavailable
        }
    }
}

/// An error the API answers: the core's `SextonError`, or one of the transport's own.
struct APIError: Error, Equatable {
    var code: APIErrorCode
    var message: String
    var field: String?
    var operationStatus: OperationStatus?
    var operationReason: String?

    init(_ code: APIErrorCode, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    init(_ error: SextonError) {
        code = APIErrorCode(error.code)
        message = error.message
        field = error.field
        operationStatus = error.operationStatus
        operationReason = error.operationReason
    }

    /// Runs one of the core's checks, its error as the API's.
    static func core<T>(_ check: () throws(SextonError) -> T) throws(APIError) -> T {
        do {
            return try check()
        } catch {
            throw APIError(error)
        }
    }

    /// The same error with its field placed inside `prefix` (`operations[2].`).
    func prefixed(_ prefix: String) -> APIError {
        guard !prefix.isEmpty else { return self }
        var copy = self
        copy.field = field.map { $0.hasPrefix(prefix) ? $0 : prefix + $0 }
        return copy
    }
}
