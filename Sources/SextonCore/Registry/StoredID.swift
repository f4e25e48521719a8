/// An operation id as the coordinator keeps it. Most are kept verbatim; a generated one (a
/// version 4 UUID, 36 characters) is kept as 15 bytes, which Swift stores inside the string
/// value: a 36-character string is an 80-byte allocation, about 110 heap bytes per live
/// operation at a million.
///
/// The short form is a 0x01 byte (no valid id starts with a control character) and 98 random
/// bits, 7 per byte. The UUID shows those 98 bits and 24 bits derived from them, so it looks
/// like any random UUID; a UUID sent in by a client is shortened only if its 24 bits match
/// (one in 16 million), so every id maps to one stored form and back.
struct StoredID: Hashable, Sendable {
    let text: String

    private static let marker: UInt8 = 0x01
    private static let payloadBits = 98

    /// The stored form of an id from outside (a request, a lookup).
    init(_ external: String) {
        text = Self.payload(ofUUID: external).map(Self.short) ?? external
    }

    private init(text: String) { self.text = text }

    static func generate() -> StoredID {
        var random = SystemRandomNumberGenerator()
        let payload = UInt128(random.next() as UInt64) << 64 | UInt128(random.next() as UInt64)
        return StoredID(text: short(payload & (1 << payloadBits - 1)))
    }

    /// The id as clients see it.
    var external: String {
        guard text.utf8.count == 15, text.utf8.first == Self.marker else { return text }
        var payload: UInt128 = 0
        for byte in text.utf8.dropFirst() { payload = payload << 7 | UInt128(byte) }
        return Self.uuidText(Self.uuid(payload))
    }

    private static func short(_ payload: UInt128) -> String {
        String(unsafeUninitializedCapacity: 15) { buffer in
            buffer[0] = marker
            for index in 1..<15 { buffer[index] = UInt8(truncatingIfNeeded: payload >> (7 * (14 - index))) & 0x7F }
            return 15
        }
    }

    /// The UUID's 122 free bits (all but the version nibble and the variant bits): the
    /// payload's top 60 bits, its low 38, then 24 check bits.
    private static func uuid(_ payload: UInt128) -> UInt128 {
        let high = UInt64(truncatingIfNeeded: payload >> 38)
        let low = UInt64(truncatingIfNeeded: payload) & (1 << 38 - 1)
        let first = (high >> 12) << 16 | 0x4 << 12 | high & 0xFFF
        let second = 0b10 << 62 | low << 24 | check(payload)
        return UInt128(first) << 64 | UInt128(second)
    }

    private static func check(_ payload: UInt128) -> UInt64 {
        var mixer = SplitMix64(seed: UInt64(truncatingIfNeeded: payload >> 64) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: payload))
        return mixer.next() & 0xFF_FFFF
    }

    /// The payload of a lowercase canonical UUID made by `uuid`, nil for any other text.
    private static func payload(ofUUID text: String) -> UInt128? {
        guard text.utf8.count == 36 else { return nil }
        var value: UInt128 = 0
        for (index, byte) in text.utf8.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt128(digit)
        }
        let first = UInt64(truncatingIfNeeded: value >> 64)
        let second = UInt64(truncatingIfNeeded: value)
        guard (first >> 12) & 0xF == 4, second >> 62 == 0b10 else { return nil }
        let high = (first >> 16) << 12 | first & 0xFFF
        let payload = UInt128(high) << 38 | UInt128((second >> 24) & (1 << 38 - 1))
        return second & 0xFF_FFFF == check(payload) ? payload : nil
    }

    private static func uuidText(_ uuid: UInt128) -> String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            var digit = 0
            for index in 0..<36 {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    buffer[index] = UInt8(ascii: "-")
                    continue
                }
                let nibble = UInt8(truncatingIfNeeded: uuid >> (124 - 4 * digit)) & 0xF
                buffer[index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
                digit += 1
            }
            return 36
        }
    }
}
