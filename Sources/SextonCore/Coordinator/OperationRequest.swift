/// One operation as submitted (CONTRACT §2.1).
public struct OperationRequest: Sendable, Equatable {
    /// Generated (a UUID) when nil.
    public var id: String?
    public var target: String
    public var targetType: String
    public var opType: String
    public var priority: Priority
    /// An unknown parent is accepted: the link is recorded and the parent adds no priority.
    public var parent: String?
    /// Recorded as given; an unknown `retry_of` is accepted.
    public var retryOf: String?
    public var retryCount: Int
    public var expectedVersion: Int?
    public var cleanup: CleanupOverride?

    public init(
        id: String? = nil, target: String, targetType: String = "default", opType: String = "default",
        priority: Priority = .normal, parent: String? = nil, retryOf: String? = nil, retryCount: Int = 0,
        expectedVersion: Int? = nil, cleanup: CleanupOverride? = nil
    ) {
        self.id = id
        self.target = target
        self.targetType = targetType
        self.opType = opType
        self.priority = priority
        self.parent = parent
        self.retryOf = retryOf
        self.retryCount = retryCount
        self.expectedVersion = expectedVersion
        self.cleanup = cleanup
    }

    /// Checks the field syntax of CONTRACT §2.1; the error names the field (`invalid_argument`).
    /// The cleanup override is the cleanup engine's to validate.
    /// The largest `retry_count` and `expected_version`: both are kept in 32 bits, as a
    /// target's version is.
    public static let maxStoredInteger = Int(UInt32.max)

    public func validate() throws(SextonError) {
        if let id { try Self.checkID(id, field: "id") }
        if let parent { try Self.checkID(parent, field: "parent") }
        if let retryOf { try Self.checkID(retryOf, field: "retry_of") }
        try Self.checkTarget(target)
        try Self.checkName(targetType, field: "target_type", allowed: "[a-z0-9_]", extra: "_")
        try Self.checkName(opType, field: "op_type", allowed: "[a-z0-9_.-]", extra: "_.-")
        if retryCount < 0 || retryCount > Self.maxStoredInteger {
            throw SextonError(.invalidArgument, "retry_count must be an integer 0–\(Self.maxStoredInteger)", field: "retry_count")
        }
        if let expectedVersion, expectedVersion < 0 || expectedVersion > Self.maxStoredInteger {
            throw SextonError(.invalidArgument, "expected_version must be an integer 0–\(Self.maxStoredInteger)", field: "expected_version")
        }
    }

    // The checks scan contiguous UTF-8 bytes with plain comparisons: validation runs on every
    // submission, and range `contains` and per-character iteration cost several times more.

    /// An operation id's syntax (CONTRACT §2.1), wherever it comes from: a body or a path.
    public static func checkID(_ id: String, field: String) throws(SextonError) {
        if !allBytes(of: id, atMost: 128, { isLowerOrDigit($0) || isUpper($0) || isOneOf($0, "._:-") }) {
            throw SextonError(.invalidArgument, "\(field) must be 1–128 characters of [A-Za-z0-9._:-]", field: field)
        }
    }

    /// A target's syntax (CONTRACT §2.1), wherever it comes from: a body, a path or a query.
    public static func checkTarget(_ target: String) throws(SextonError) {
        // Printable ASCII, the usual case, is settled on bytes; anything else scalar by scalar.
        if allBytes(of: target, atMost: 256, { $0 >= 0x20 && $0 < 0x7F }) { return }
        var count = 0
        for scalar in target.unicodeScalars {
            count += 1
            if count > 256 || !isPrintable(scalar) { throw badTarget }
        }
        if count == 0 { throw badTarget }
    }

    private static var badTarget: SextonError {
        SextonError(.invalidArgument, "target must be 1–256 printable characters", field: "target")
    }

    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar.value >= 0x20 && scalar.value != 0x7F }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator: return false
        default: return true
        }
    }

    /// A `target_type` or `op_type`: 1–64 bytes of lowercase letters, digits and `extra`.
    private static func checkName(
        _ value: String, field: String, allowed: String, extra: StaticString
    ) throws(SextonError) {
        if !allBytes(of: value, atMost: 64, { isLowerOrDigit($0) || isOneOf($0, extra) }) {
            throw SextonError(.invalidArgument, "\(field) must be 1–64 characters of \(allowed)", field: field)
        }
    }

    /// Whether `value` has 1 to `limit` UTF-8 bytes, all `allowed`.
    private static func allBytes(of value: String, atMost limit: Int, _ allowed: (UInt8) -> Bool) -> Bool {
        var value = value
        return value.withUTF8 { bytes in !bytes.isEmpty && bytes.count <= limit && bytes.allSatisfy(allowed) }
    }

    private static func isOneOf(_ byte: UInt8, _ set: StaticString) -> Bool {
        set.withUTF8Buffer { $0.contains(byte) }
    }

    private static func isLowerOrDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func isUpper(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }
}
