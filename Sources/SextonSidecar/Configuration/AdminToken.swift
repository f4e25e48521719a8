import SextonCore

/// The bearer token the admin API expects. It never appears in descriptions, dumps or logs:
/// the only way to use it is `matches`.
public struct AdminToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let bytes: [UInt8]

    /// Nil for an empty token, which would let `Authorization: Bearer ` through.
    public init?(_ token: String) {
        guard !token.isEmpty else { return nil }
        bytes = Array(token.utf8)
    }

    /// Compares in time that depends only on the lengths, so a caller cannot find the token
    /// byte by byte by timing rejections.
    public func matches(_ presented: some StringProtocol) -> Bool {
        let candidate = Array(presented.utf8)
        var difference = candidate.count ^ bytes.count
        for index in candidate.indices {
            difference |= Int(candidate[index] ^ bytes[index % bytes.count])
        }
        return difference == 0
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

/// The `admin:` section and the token it resolves to.
public struct AdminConfig: Sendable, Equatable {
    public var tokenFile: String?
    /// Resolved by the loader from `SEXTON_ADMIN_TOKEN` or `tokenFile`; nil means the admin API
    /// answers 403 to everything.
    public var token: AdminToken?

    public init() {}
}
