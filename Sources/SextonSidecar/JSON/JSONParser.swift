/// Reads RFC 8259 JSON straight from the request bytes into a `JSONValue`. Foundation's
/// JSONDecoder (through `Decodable`) took a fifth of the sidecar's CPU under a stream of
/// `POST /v1/operations`; this reads the same documents in one pass with no intermediate map.
/// Object members keep their order; a duplicate key makes the document invalid (CONTRACT §5:
/// input is strict), and a number too large for a Double reads as infinite so that its field,
/// not the syntax, is what is refused.
struct JSONParser {
    /// As deep as Foundation's decoder allows: deeper input is refused rather than recursed into.
    static let maxDepth = 512

    private let bytes: [UInt8]
    private var index = 0
    private var duplicateKey: String?

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Why a body is not one JSON document.
    struct Invalid: Error {
        var message: String
        /// The repeated key, when that is what is wrong.
        var key: String?
    }

    /// The document, or why `bytes` is not exactly one JSON value (whitespace around it aside).
    static func parse(_ bytes: [UInt8]) -> Result<JSONValue, Invalid> {
        var parser = JSONParser(bytes)
        let value = parser.value(depth: 0)
        if let key = parser.duplicateKey { return .failure(Invalid(message: "the body repeats the key \"\(key)\"", key: key)) }
        parser.skipWhitespace()
        guard let value, parser.index == bytes.count else { return .failure(Invalid(message: "the body is not valid JSON")) }
        return .success(value)
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        index += 1
        return true
    }

    private mutating func literal(_ text: StaticString, _ value: JSONValue) -> JSONValue? {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count else { return nil }
        let matches = text.withUTF8Buffer { expected in (0..<count).allSatisfy { bytes[index + $0] == expected[$0] } }
        guard matches else { return nil }
        index += count
        return value
    }

    private mutating func value(depth: Int) -> JSONValue? {
        guard depth < Self.maxDepth else { return nil }
        skipWhitespace()
        switch current {
        case UInt8(ascii: "{")?: return object(depth: depth)
        case UInt8(ascii: "[")?: return array(depth: depth)
        case UInt8(ascii: "\"")?: return string().map { .string($0) }
        case UInt8(ascii: "t")?: return literal("true", .bool(true))
        case UInt8(ascii: "f")?: return literal("false", .bool(false))
        case UInt8(ascii: "n")?: return literal("null", .null)
        case let byte? where byte == UInt8(ascii: "-") || isDigit(byte): return number()
        default: return nil
        }
    }

    /// Up to this many members a duplicate key is looked for by a scan, which beats hashing;
    /// past it by a set, so a wide object (a 64 KiB body holds thousands of keys) stays linear.
    static let scannedMembers = 16

    private mutating func object(depth: Int) -> JSONValue? {
        index += 1
        var members: [(String, JSONValue)] = []
        var keys: Set<String> = []
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return .object(members) }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\""), let key = string() else { return nil }
            skipWhitespace()
            guard consume(UInt8(ascii: ":")), let member = value(depth: depth + 1) else { return nil }
            let duplicate: Bool
            if members.count < Self.scannedMembers {
                duplicate = members.contains { $0.0 == key }
            } else {
                if keys.isEmpty { keys = Set(members.map(\.0)) }
                duplicate = !keys.insert(key).inserted
            }
            if duplicate {
                duplicateKey = key
                return nil
            }
            members.append((key, member))
            skipWhitespace()
            if consume(UInt8(ascii: "}")) { return .object(members) }
            guard consume(UInt8(ascii: ",")) else { return nil }
        }
    }

    private mutating func array(depth: Int) -> JSONValue? {
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return .array(items) }
        while true {
            guard let item = value(depth: depth + 1) else { return nil }
            items.append(item)
            skipWhitespace()
            if consume(UInt8(ascii: "]")) { return .array(items) }
            guard consume(UInt8(ascii: ",")) else { return nil }
        }
    }

    /// A string starting at the opening quote. Escapes are decoded; raw control characters and
    /// invalid UTF-8 (unpaired surrogates included) make the document invalid.
    private mutating func string() -> String? {
        index += 1
        let start = index
        // The common case: no escapes, so the bytes between the quotes are the string.
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 { index += 1 }
        if current == UInt8(ascii: "\"") {
            index += 1
            return String(validating: bytes[start..<(index - 1)], as: UTF8.self)
        }
        var out = Array(bytes[start..<index])
        while let byte = current {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard escape(into: &out) else { return nil }
            case 0..<0x20:
                return nil
            default:
                out.append(byte)
            }
        }
        return nil
    }

    private mutating func escape(into out: inout [UInt8]) -> Bool {
        guard let byte = current else { return false }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            guard var scalar = hex4() else { return false }
            if (0xD800..<0xDC00).contains(scalar) {
                guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")), let low = hex4(), (0xDC00..<0xE000).contains(low) else {
                    return false
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { return false }
            out.append(contentsOf: String(Character(unicode)).utf8)
        default:
            return false
        }
        return true
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// RFC 8259 number syntax; an integer that fits `Int` is `.int`, anything else `.double`.
    private mutating func number() -> JSONValue? {
        let start = index
        _ = consume(UInt8(ascii: "-"))
        if consume(UInt8(ascii: "0")) {
            if let byte = current, isDigit(byte) { return nil }
        } else {
            guard let byte = current, isDigit(byte) else { return nil }
            while let byte = current, isDigit(byte) { index += 1 }
        }
        var isInteger = true
        if consume(UInt8(ascii: ".")) {
            isInteger = false
            guard let byte = current, isDigit(byte) else { return nil }
            while let byte = current, isDigit(byte) { index += 1 }
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            isInteger = false
            _ = consume(UInt8(ascii: "+")) || consume(UInt8(ascii: "-"))
            guard let byte = current, isDigit(byte) else { return nil }
            while let byte = current, isDigit(byte) { index += 1 }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let integer = Int(text) { return .int(integer) }
        guard let double = Double(text) else { return nil }
        return .double(double)
    }
}
