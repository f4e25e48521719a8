import Testing
@testable import SextonSidecar

@Suite struct JSONParserTests {
    func parse(_ text: String) -> JSONValue? { JSONValue.parse(Array(text.utf8)) }

    @Test func operationBodyKeepsMemberOrderAndTypes() {
        let value = parse(#" {"target":"orders/1","priority":8,"ratio":0.5,"big":1e3,"on":true,"none":null,"list":[1,"a",[]],"o":{}} "#)
        #expect(value == .object([
            ("target", .string("orders/1")), ("priority", .int(8)), ("ratio", .double(0.5)), ("big", .double(1000)),
            ("on", .bool(true)), ("none", .null), ("list", .array([.int(1), .string("a"), .array([])])), ("o", .object([])),
        ]))
    }

    @Test func escapesAndUnicode() {
        #expect(parse(#""a\"b\\c\/d\n\t\r\b\f""#) == .string("a\"b\\c/d\n\t\r\u{08}\u{0C}"))
        #expect(parse(#""\u00e9\u4e2d\ud83d\ude00""#) == .string("é中😀"))
        #expect(parse("\"é中😀\"") == .string("é中😀"))
    }

    @Test func numbers() {
        #expect(parse("-0") == .int(0))
        #expect(parse("-12") == .int(-12))
        #expect(parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(parse("1.5E-2") == .double(0.015))
        // Too large for a Double: its field refuses it (invalid_argument), not the syntax.
        #expect(parse("1e400") == .double(.infinity))
        #expect(parse("-1e400") == .double(-.infinity))
    }

    @Test func aRepeatedKeyIsRefusedByName() throws {
        guard case .failure(let invalid) = JSONParser.parse(Array(#"{"a":1,"b":{"c":1,"c":2}}"#.utf8)) else {
            Issue.record("a repeated key was accepted")
            return
        }
        #expect(invalid.key == "c")
        #expect(invalid.message == #"the body repeats the key "c""#)
        #expect(parse(#"{"a":{"c":1},"b":{"c":2}}"#) != nil, "the same key in two objects is fine")
    }

    /// Past `scannedMembers` keys are checked by a set: a repeat is still found wherever it is,
    /// and distinct keys all stay, in order.
    @Test(arguments: [0, 3, JSONParser.scannedMembers - 1, JSONParser.scannedMembers, 4_999])
    func aRepeatedKeyIsFoundInAWideObject(repeating index: Int) throws {
        let keys = (0..<5_000).map { "k\($0)" }
        let distinct = "{" + keys.map { "\"\($0)\":1" }.joined(separator: ",") + "}"
        #expect(parse(distinct)?.members?.map(\.0) == keys)
        let repeated = String(distinct.dropLast()) + ",\"k\(index)\":2}"
        guard case .failure(let invalid) = JSONParser.parse(Array(repeated.utf8)) else {
            Issue.record("a repeat of k\(index) was accepted")
            return
        }
        #expect(invalid.key == "k\(index)")
    }

    @Test(arguments: [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "'a'", "01", "1.", ".5", "-", "1e", "+1",
        "tru", "nul", "\"abc", "\"a\u{01}b\"", "\"\\x\"", "\"\\u12\"", "\"\\ud83d\"", "\"\\ude00\"", "1 2", "{} x",
        "NaN",
    ])
    func refusesInvalidDocuments(_ text: String) {
        #expect(parse(text) == nil)
    }

    @Test func refusesInvalidUTF8() {
        #expect(JSONValue.parse([UInt8(ascii: "\""), 0xFF, UInt8(ascii: "\"")]) == nil)
    }

    @Test func refusesNestingDeeperThanTheLimit() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(parse(deep) == nil)
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(parse(fine) != nil)
    }

    @Test func roundTripsWhatItSerializes() {
        let value = JSONValue.object([("s", .string("q\"\n\u{01}é")), ("n", .array([.int(-3), .double(2.5), .null, .bool(false)]))])
        #expect(JSONValue.parse(value.serialized) == value)
    }
}
