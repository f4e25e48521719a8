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
    public func validate() throws(SextonError) {
        if let id { try Self.checkID(id, field: "id") }
        if let parent { try Self.checkID(parent, field: "parent") }
        if let retryOf { try Self.checkID(retryOf, field: "retry_of") }
        try Self.checkTarget(target)
        try Self.check(targetType, field: "target_type", allowed: "[a-z0-9_]") { $0 == UInt8(ascii: "_") }
        try Self.check(opType, field: "op_type", allowed: "[a-z0-9_.-]") {
            $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }
        if retryCount < 0 || retryCount > Int(UInt32.max) {
            throw SextonError(.invalidArgument, "retry_count must be an integer ≥ 0", field: "retry_count")
        }
        if let expectedVersion, expectedVersion < 0 {
            throw SextonError(.invalidArgument, "expected_version must be an integer ≥ 0", field: "expected_version")
        }
    }

    private static func checkID(_ id: String, field: String) throws(SextonError) {
        let bytes = id.utf8
        let valid = (1...128).contains(bytes.count) && bytes.allSatisfy { byte in
            isLowerOrDigit(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
                || byte == UInt8(ascii: "-")
        }
        if !valid {
            throw SextonError(.invalidArgument, "\(field) must be 1–128 characters of [A-Za-z0-9._:-]", field: field)
        }
    }

    private static func checkTarget(_ target: String) throws(SextonError) {
        let scalars = target.unicodeScalars
        var count = 0
        for scalar in scalars {
            count += 1
            if count > 256 || !isPrintable(scalar) {
                throw SextonError(.invalidArgument, "target must be 1–256 printable characters", field: "target")
            }
        }
        if count == 0 {
            throw SextonError(.invalidArgument, "target must be 1–256 printable characters", field: "target")
        }
    }

    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar.value >= 0x20 && scalar.value != 0x7F }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator: return false
        default: return true
        }
    }

    private static func check(
        _ value: String, field: String, allowed: String, extra: (UInt8) -> Bool
    ) throws(SextonError) {
        let bytes = value.utf8
        if !(1...64).contains(bytes.count) || !bytes.allSatisfy({ isLowerOrDigit($0) || extra($0) }) {
            throw SextonError(.invalidArgument, "\(field) must be 1–64 characters of \(allowed)", field: field)
        }
    }

    private static func isLowerOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
