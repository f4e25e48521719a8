import Foundation
import Testing
@testable import SextonSidecar

/// The hand-written `JSONParser` against Foundation's `JSONSerialization` (with `.fragmentsAllowed`:
/// the parser reads a top-level scalar too), and a fuzz test of the parser alone.
///
/// Where the two deliberately differ, the difference is an expectation of its own (see `Expected`),
/// checked both ways, so a change on either side shows here. The expectations are those of
/// swift-corelibs-foundation on Linux, where CI runs.
///
/// Generated cases are seeded: a failure names the seed and case; `SEXTON_JSON_SEED=<n>` reruns
/// the generated parts with another seed, and `SEXTON_JSON_TRACE=1` prints each fuzz case before
/// it is parsed (for a crash, which no failure message can report).
@Suite struct JSONParserDifferentialTests {
    /// What each side does with a document.
    enum Expected: Sendable, CustomStringConvertible {
        /// Both read it, to the same value.
        case both
        /// Both refuse it.
        case neither
        /// The parser refuses a repeated key, naming it; Foundation takes the last value.
        case duplicateKey(String)
        /// The parser reads a number beyond Double's range as infinite (so its field, not the
        /// syntax, refuses it); Foundation refuses the document.
        case parserInfinite
        /// Foundation reads what RFC 8259 does not allow; the parser, strict (CONTRACT §5), refuses.
        case onlyFoundation(String)

        var description: String {
            switch self {
            case .both: "both accept"
            case .neither: "both refuse"
            case .duplicateKey(let key): "duplicate key \(key)"
            case .parserInfinite: "parser reads ±infinity"
            case .onlyFoundation(let why): "only Foundation (\(why))"
            }
        }
    }

    static let corpus: [(String, [UInt8], Expected)] = {
        func t(_ text: String, _ expected: Expected) -> (String, [UInt8], Expected) { (text, Array(text.utf8), expected) }
        func b(_ name: String, _ bytes: [UInt8], _ expected: Expected) -> (String, [UInt8], Expected) { (name, bytes, expected) }
        let deep = { (n: Int) in String(repeating: "[", count: n) + String(repeating: "]", count: n) }
        return [
            // Valid documents.
            t(#"{"id":"op-1","target":"entity-42","priority":"high","retry_count":0}"#, .both),
            t(#"{"cleanup":{"strategy":"deferred","retention":"30s"},"list":[1,"a",[],{}],"none":null}"#, .both),
            t(" \t\r\n{ \"a\" : [ 1 , 2 ] } \n", .both),
            t("{}", .both), t("[]", .both), t("[[[]]]", .both),
            t("0", .both), t("-0", .both), t("-0.0", .both), t("1", .both), t("-12", .both), t("true", .both),
            t("false", .both), t("null", .both), t(#""""#, .both), t(#""x""#, .both),
            t("1.5E-2", .both), t("1e+2", .both), t("1E2", .both), t("0.1", .both), t("123456789.123456789e-5", .both),
            t("9223372036854775807", .both), t("-9223372036854775808", .both), t("9223372036854775808", .both),
            t("18446744073709551616", .both), t("1e-400", .both), t("5e-324", .both), t("1.7976931348623157e308", .both),
            t(#""a\"b\\c\/d\n\t\r\b\f""#, .both), t(#""\u00e9\u4E2D\ud83d\ude00""#, .both), t("\"é中😀\"", .both),
            t(#""\u0000""#, .both), t("\"a\u{7F}b\"", .both), t(#"{"":0}"#, .both),
            t(#"{"a":{"c":1},"b":{"c":2}}"#, .both),
            t(deep(512), .both),
            // Invalid for both.
            t("", .neither), t(" ", .neither), t("{", .neither), t("}", .neither), t("[1 2]", .neither), t("{\"a\" 1}", .neither),
            t("{a:1}", .neither), t("'a'", .neither), t("01", .neither), t("-01", .neither), t("1.", .neither), t(".5", .neither),
            t("-", .neither), t("1e", .neither), t("+1", .neither), t("tru", .neither), t("nul", .neither), t("NaN", .neither),
            t("Infinity", .neither), t(#""abc"#, .neither), t("\"a\tb\"", .neither), t(#""\x""#, .neither),
            t(#""\u12""#, .neither), t(#""\U0041""#, .neither), t(#""\ud800""#, .neither), t(#""\ude00""#, .neither),
            t(#""\ud800x""#, .neither), t(#""\ud800\u0041""#, .neither), t("1 2", .neither), t("{} x", .neither), t("[1]]", .neither),
            t("\"a\u{1F}b\"", .neither), t("\"a\u{00}b\"", .neither), t("\"a\nb\"", .neither), t("{\"a\":1}\u{0C}", .neither),
            t(#"{"a":1 /* c */}"#, .neither), t("[,1]", .neither), t("[1,,2]", .neither),
            t(deep(513), .neither), t(deep(10_000), .neither), t(String(repeating: "[", count: 100_000), .neither),
            t(String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000), .neither),
            b("raw 0xFF in a string", Array(#""a"#.utf8) + [0xFF] + [0x22], .neither),
            b("overlong UTF-8", [0x22, 0xC0, 0xAF, 0x22], .neither),
            b("UTF-8 of a surrogate", [0x22, 0xED, 0xA0, 0x80, 0x22], .neither),
            b("truncated UTF-8", [0x22, 0xE4, 0xB8, 0x22], .neither),
            b("0xFF in a key", [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D], .neither),
            b("trailing NUL", Array("{}".utf8) + [0], .neither),
            // Deliberate differences.
            t(#"{"a":1,"a":2}"#, .duplicateKey("a")),
            t(#"{"o":{"a":1,"b":2,"a":3}}"#, .duplicateKey("a")),
            // Swift's String == is canonical equivalence: "é" and "e\u0301" are the same key to the
            // parser, two keys to Foundation.
            t(#"{"\u00e9":1,"e\u0301":2}"#, .duplicateKey("e\u{301}")),
            t("1e400", .parserInfinite), t("-1e400", .parserInfinite), t(#"{"n":[1e999]}"#, .parserInfinite),
            t("[1,2,]", .onlyFoundation("trailing comma")), t(#"{"a":1,}"#, .onlyFoundation("trailing comma")),
            b("UTF-8 byte order mark", [0xEF, 0xBB, 0xBF] + Array(#"{"a":1}"#.utf8), .onlyFoundation("BOM")),
            b("UTF-16LE", Array(#"{"a":1}"#.data(using: .utf16LittleEndian)!), .onlyFoundation("UTF-16")),
            b("UTF-16BE with BOM", [0xFE, 0xFF] + Array(#"{"a":1}"#.data(using: .utf16BigEndian)!), .onlyFoundation("UTF-16")),
        ]
    }()

    @Test func handWrittenCorpus() {
        for (name, bytes, expected) in Self.corpus {
            let problem = Self.check(bytes, expected)
            #expect(problem == nil, "\(name.count > 60 ? String(name.prefix(60)) + "…" : name): expected \(expected); \(problem ?? "")")
        }
    }

    /// Generated valid documents (checked against the value generated as well as against
    /// Foundation) and byte mutations of them (checked against Foundation, any disagreement
    /// having to be one of the deliberate differences).
    @Test func generatedDocuments() {
        let seed = Self.seed(default: 0x5EC7_0D1F)
        var rng = DifferentialRNG(seed: seed)
        var agreedValid = 0, agreedInvalid = 0, explained: [String: Int] = [:]
        for i in 0..<400 {
            let value = JSONGen.value(&rng, depth: 0)
            let text = JSONGen.serialize(value, &rng)
            let context = "seed \(seed) case \(i): \(Self.show(text))"
            switch JSONParser.parse(text) {
            case .success(let parsed):
                #expect(NormalJSON(parsed) == value, "\(context): the parser read another value")
            case .failure(let invalid):
                Issue.record("\(context): the parser refused a valid document: \(invalid.message)")
            }
            let problem = Self.check(text, .both)
            #expect(problem == nil, "\(context): \(problem ?? "")")
            // The document twice under one key.
            if i % 8 == 0 {
                let key = JSONGen.string(&rng)
                var name = ""
                name.unicodeScalars.append(contentsOf: key)
                let member = Array(JSONGen.write(key, &rng).utf8) + [UInt8(ascii: ":")]
                let twice = [UInt8(ascii: "{")] + member + text + [UInt8(ascii: ",")] + member + JSONGen.serialize(JSONGen.value(&rng, depth: 1), &rng) + [UInt8(ascii: "}")]
                let problem = Self.check(twice, .duplicateKey(name))
                #expect(problem == nil, "seed \(seed) case \(i), twice: \(Self.show(twice)): \(problem ?? "")")
            }
            // Two mutations of each.
            for m in 0..<2 {
                let mutated = JSONGen.mutate(text, &rng)
                switch Self.classify(mutated) {
                case .agree(let valid): if valid { agreedValid += 1 } else { agreedInvalid += 1 }
                case .explained(let why): explained[why, default: 0] += 1
                case .unexplained(let problem):
                    Issue.record("seed \(seed) case \(i) mutation \(m): \(Self.show(mutated)): \(problem)")
                }
            }
        }
        // The mutations must exercise both sides (a generator that only made garbage, or nothing,
        // would pass vacuously).
        #expect(agreedValid > 20 && agreedInvalid > 200 && explained["trailing comma", default: 0] > 5 && explained["infinite number", default: 0] > 5,
                "mutations: \(agreedValid) valid, \(agreedInvalid) invalid, \(explained)")
    }

    /// Random bytes and mutations of valid documents: the parser never traps, and answers either
    /// a value (which it reads back the same from its own serialization) or a failure with a message.
    @Test func fuzz() {
        let seed = Self.seed(default: 0xF022_5EED)
        var rng = DifferentialRNG(seed: seed)
        var accepted = 0, refused = 0
        var problems: [String] = []
        let trace = ProcessInfo.processInfo.environment["SEXTON_JSON_TRACE"] == "1"
        let pool = (0..<200).map { _ in JSONGen.serialize(JSONGen.value(&rng, depth: 0, maxDepth: 3), &rng) }
        for i in 0..<20_000 {
            let input: [UInt8]
            switch i % 200 {
            case 0: input = JSONGen.deepOrLong(&rng)
            case 1..<70: input = JSONGen.randomBytes(&rng)
            default: input = JSONGen.mutate(pool[rng.below(pool.count)], &rng)
            }
            if trace { print("seed \(seed) case \(i): \(Self.show(input))") }
            switch JSONParser.parse(input) {
            case .success(let value):
                accepted += 1
                // What it writes reads back as what it read (non-finite numbers are written as null).
                let again = try? JSONParser.parse(value.serialized).get()
                if again != value.finite {
                    problems.append("seed \(seed) case \(i): \(Self.show(input)) read back as \(again.map { Self.show($0.serialized) } ?? "nothing")")
                }
            case .failure(let invalid):
                refused += 1
                if invalid.message.isEmpty { problems.append("seed \(seed) case \(i): \(Self.show(input)): a failure without a message") }
                if let key = invalid.key, !invalid.message.contains("\"\(key)\"") {
                    problems.append("seed \(seed) case \(i): \(Self.show(input)): the message does not name the key \(key)")
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.count) problems; first: \(problems.prefix(5).joined(separator: "\n"))")
        #expect(accepted > 1_000 && refused > 10_000, "accepted \(accepted), refused \(refused)")
    }

    // MARK: - Comparing

    /// nil when `bytes` behave as `expected`; else what happened.
    fileprivate static func check(_ bytes: [UInt8], _ expected: Expected) -> String? {
        let parsed = JSONParser.parse(bytes)
        let foundation = foundationValue(bytes)
        switch (expected, parsed, foundation) {
        case (.both, .success(let v), let f?):
            return NormalJSON(v).matches(f) ? nil : "values differ: parser \(NormalJSON(v)), Foundation \(f)"
        case (.neither, .failure(let invalid), nil):
            return invalid.message.isEmpty ? "no message" : nil
        case (.duplicateKey(let key), .failure(let invalid), _?):
            return invalid.key == key && invalid.message.contains("\"\(key)\"") ? nil : "refused as \(invalid.message) (key \(invalid.key ?? "none"))"
        case (.parserInfinite, .success(let v), nil):
            return v.hasInfinity ? nil : "read \(NormalJSON(v)) with no infinity"
        case (.onlyFoundation, .failure(let invalid), _?):
            return invalid.message.isEmpty || invalid.key != nil ? "refused as \(invalid.message)" : nil
        default:
            return "parser \(describe(parsed)), Foundation \(foundation.map { "read \($0)" } ?? "refused")"
        }
    }

    fileprivate enum Classified { case agree(valid: Bool), explained(String), unexplained(String) }

    /// A generated document's fate: agreement, one of the deliberate differences, or neither.
    fileprivate static func classify(_ bytes: [UInt8]) -> Classified {
        let parsed = JSONParser.parse(bytes)
        let foundation = foundationValue(bytes)
        switch (parsed, foundation) {
        case (.success(let v), let f?):
            return NormalJSON(v).matches(f) ? .agree(valid: true) : .unexplained("values differ: parser \(NormalJSON(v)), Foundation \(f)")
        case (.failure(let invalid), nil):
            return invalid.message.isEmpty ? .unexplained("no message") : .agree(valid: false)
        case (.failure(let invalid), _?) where invalid.key != nil:
            return check(bytes, .duplicateKey(invalid.key!)) == nil ? .explained("duplicate key") : .unexplained("refused as \(invalid.message)")
        case (.success(let v), nil) where v.hasInfinity:
            return .explained("infinite number")
        case (.failure, let f?):
            // A trailing comma: without it, the parser reads what Foundation did.
            if let fixed = withoutTrailingCommas(bytes), case .success(let v) = JSONParser.parse(fixed), NormalJSON(v).matches(f) {
                return .explained("trailing comma")
            }
            return .unexplained("only Foundation reads it, as \(f)")
        case (.success(let v), nil):
            return .unexplained("only the parser reads it, as \(NormalJSON(v))")
        }
    }

    /// `bytes` with each comma that is followed (after whitespace) by `]` or `}` removed, outside
    /// strings; nil when there is none.
    static func withoutTrailingCommas(_ bytes: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = [], inString = false, escaped = false, removed = false
        for (i, byte) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: ",") {
                let next = bytes[(i + 1)...].first { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }
                if next == UInt8(ascii: "]") || next == UInt8(ascii: "}") {
                    removed = true
                    continue
                }
            }
            out.append(byte)
        }
        return removed ? out : nil
    }

    /// Foundation's reading, nil when it refuses.
    fileprivate static func foundationValue(_ bytes: [UInt8]) -> NormalJSON? {
        guard let any = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else { return nil }
        return NormalJSON(foundation: any)
    }

    fileprivate static func describe(_ result: Result<JSONValue, JSONParser.Invalid>) -> String {
        switch result {
        case .success(let v): "read \(NormalJSON(v))"
        case .failure(let invalid): "refused (\(invalid.message))"
        }
    }

    /// Bytes for a failure message: text where printable, escapes otherwise, cut at 200.
    static func show(_ bytes: [UInt8]) -> String {
        var s = ""
        for byte in bytes.prefix(200) {
            if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\") { s.unicodeScalars.append(Unicode.Scalar(byte)) } else { s += "\\x" + String(byte, radix: 16) }
        }
        return "`" + s + (bytes.count > 200 ? "…(\(bytes.count) bytes)" : "") + "`"
    }

    static func seed(default value: UInt64) -> UInt64 {
        ProcessInfo.processInfo.environment["SEXTON_JSON_SEED"].flatMap { UInt64($0) } ?? value
    }
}

/// A JSON value to compare across readers: numbers as Double, strings and keys compared scalar by
/// scalar (not by Swift's canonical equivalence), members by key.
fileprivate indirect enum NormalJSON: Equatable, CustomStringConvertible {
    case null, bool(Bool), number(Double), string([Unicode.Scalar]), array([NormalJSON]), object([([Unicode.Scalar], NormalJSON)])

    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .number(Double(i))
        case .double(let d): self = .number(d)
        case .string(let s): self = .string(Array(s.unicodeScalars))
        case .array(let items): self = .array(items.map(NormalJSON.init))
        case .object(let members): self = NormalJSON.sortedObject(members.map { (Array($0.0.unicodeScalars), NormalJSON($0.1)) })
        }
    }

    private static let yes = NSNumber(value: true), no = NSNumber(value: false)

    init(foundation any: Any) {
        // Containers first: casting an array to NSNumber or NSNull bridges all of it, which made
        // deep documents quadratic.
        switch any {
        case let items as [Any]: self = .array(items.map { NormalJSON(foundation: $0) })
        case let members as [String: Any]: self = NormalJSON.sortedObject(members.map { (Array($0.key.unicodeScalars), NormalJSON(foundation: $0.value)) })
        case let s as String: self = .string(Array(s.unicodeScalars))
        case is NSNull: self = .null
        // Foundation's booleans are the two shared NSNumbers; any other NSNumber is a number.
        case let n as NSNumber where n === Self.yes || n === Self.no: self = .bool(n.boolValue)
        case let n as NSNumber: self = .number(n.doubleValue)
        default: fatalError("JSONSerialization returned \(type(of: any))")
        }
    }

    /// Members sorted by key, so order does not matter.
    static func sortedObject(_ members: [([Unicode.Scalar], NormalJSON)]) -> NormalJSON {
        .object(members.sorted { $0.0.lexicographicallyPrecedes($1.0) { $0.value < $1.value } })
    }

    static func == (lhs: NormalJSON, rhs: NormalJSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// Equal, but for numbers within 16 ulps: swift-corelibs-foundation's JSONSerialization does
    /// not round decimal numbers correctly (28362556.822504234 reads as 28362556.82250423, one ulp
    /// off; up to 8 ulps seen), where the parser (Swift's `Double(String)`) does. The parser is held
    /// to the exact value where the test knows it (`generatedDocuments`).
    func matches(_ other: NormalJSON) -> Bool {
        switch (self, other) {
        case let (.number(a), .number(b)):
            a == b || (a.sign == b.sign && a.isFinite && b.isFinite
                && (Int64(bitPattern: a.bitPattern) &- Int64(bitPattern: b.bitPattern)).magnitude <= 16)
        case let (.array(a), .array(b)): a.count == b.count && zip(a, b).allSatisfy { $0.matches($1) }
        case let (.object(a), .object(b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1.matches($1.1) }
        default: self == other
        }
    }

    var description: String {
        let text: String
        switch self {
        case .null: text = "null"
        case .bool(let b): text = "\(b)"
        case .number(let d): text = "\(d)"
        case .string(let s): text = "\"" + s.map { $0.escaped(asASCII: true) }.joined() + "\""
        case .array(let items): text = "[" + items.map(\.description).joined(separator: ",") + "]"
        case .object(let members): text = "{" + members.map { "\"\($0.0.map { $0.escaped(asASCII: true) }.joined())\":\($0.1)" }.joined(separator: ",") + "}"
        }
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}

fileprivate extension JSONValue {
    var hasInfinity: Bool {
        switch self {
        case .double(let d): d.isInfinite
        case .array(let items): items.contains { $0.hasInfinity }
        case .object(let members): members.contains { $0.1.hasInfinity }
        default: false
        }
    }

    /// As `serialized` writes it: a non-finite number becomes null.
    var finite: JSONValue {
        switch self {
        case .double(let d) where !d.isFinite: .null
        case .array(let items): .array(items.map(\.finite))
        case .object(let members): .object(members.map { ($0.0, $0.1.finite) })
        default: self
        }
    }
}

/// A small, seeded, deterministic generator (SplitMix64's steps; this file's own, so the test
/// does not depend on the core's). A seed gives the same cases on a given toolchain.
fileprivate struct DifferentialRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 0..<n, cheaply (the fuzz loop's many draws; `random(in:using:)` is slow unoptimised).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// Random JSON values, written in varied but valid ways, and byte mutations.
fileprivate enum JSONGen {
    static let scalars: [Unicode.Scalar] = ["a", "z", "0", " ", "\"", "\\", "/", "\u{08}", "\u{0C}", "\n", "\r", "\t", "\u{00}", "\u{1F}",
                                            "\u{7F}", "é", "\u{301}", "中", "\u{FFFF}", "\u{2028}", "😀", "\u{10FFFF}"]

    static func string(_ rng: inout DifferentialRNG) -> [Unicode.Scalar] {
        (0..<Int.random(in: 0...6, using: &rng)).map { _ in
            Bool.random(using: &rng) ? Unicode.Scalar(UInt8.random(in: 0x61...0x7A, using: &rng)) : scalars.randomElement(using: &rng)!
        }
    }

    static func number(_ rng: inout DifferentialRNG) -> NormalJSON {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: .number(Double(Int.random(in: -10...10, using: &rng)))
        case 1: .number(Double(Int.random(in: Int.min...Int.max, using: &rng)))
        case 2: .number(Double(Int.random(in: -1_000_000...1_000_000, using: &rng)) / 1000)
        case 3: .number(Double.random(in: -1e300...1e300, using: &rng))
        case 4: .number(Double(sign: .plus, exponent: Int.random(in: -1074...1023, using: &rng), significand: Double.random(in: 1..<2, using: &rng)))
        default: .number(-0.0)
        }
    }

    static func value(_ rng: inout DifferentialRNG, depth: Int, maxDepth: Int = 4) -> NormalJSON {
        // Mostly a container at the top, mostly a leaf below.
        let container = depth < maxDepth && Int.random(in: 0..<10, using: &rng) < (depth == 0 ? 8 : 3)
        switch container ? Int.random(in: 5..<7, using: &rng) : Int.random(in: 0..<5, using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2, 3: return number(&rng)
        case 4: return .string(string(&rng))
        case 5: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in value(&rng, depth: depth + 1, maxDepth: maxDepth) })
        default:
            // Keys distinct even under canonical equivalence (the parser compares them with String ==).
            var keys: [String] = []
            var members: [([Unicode.Scalar], NormalJSON)] = []
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                let key = string(&rng)
                var s = ""
                s.unicodeScalars.append(contentsOf: key)
                guard !keys.contains(s) else { continue }
                keys.append(s)
                members.append((key, value(&rng, depth: depth + 1, maxDepth: maxDepth)))
            }
            return NormalJSON.sortedObject(members)
        }
    }

    static func whitespace(_ rng: inout DifferentialRNG) -> String {
        Int.random(in: 0..<4, using: &rng) > 0 ? "" : String((0..<Int.random(in: 1...3, using: &rng)).map { _ in " \t\n\r".randomElement(using: &rng)! })
    }

    static func hex(_ v: UInt32, _ rng: inout DifferentialRNG) -> String {
        let h = String(v, radix: 16)
        let padded = String(repeating: "0", count: 4 - h.count) + h
        return Bool.random(using: &rng) ? padded.uppercased() : padded
    }

    static func write(_ s: [Unicode.Scalar], _ rng: inout DifferentialRNG) -> String {
        var out = "\""
        for scalar in s {
            let escape = Int.random(in: 0..<4, using: &rng) == 0
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/" where escape: out += "\\/"
            case "\u{08}" where escape: out += "\\b"
            case "\u{0C}" where escape: out += "\\f"
            case "\n" where escape: out += "\\n"
            case "\r" where escape: out += "\\r"
            case "\t" where escape: out += "\\t"
            case _ where scalar.value < 0x20 || escape:
                if scalar.value > 0xFFFF {
                    let v = scalar.value - 0x10000
                    out += "\\u" + hex(0xD800 + (v >> 10), &rng) + "\\u" + hex(0xDC00 + (v & 0x3FF), &rng)
                } else {
                    out += "\\u" + hex(scalar.value, &rng)
                }
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func writeNumber(_ d: Double, _ rng: inout DifferentialRNG) -> String {
        if d == d.rounded(), abs(d) < 1e15, Bool.random(using: &rng) { return (d.sign == .minus ? "-" : "") + String(Int(abs(d))) }
        let text = "\(d)"  // Swift's shortest round-tripping form is JSON (1e-05, 5e-324, 1.0, -0.0).
        return Bool.random(using: &rng) ? text.uppercased() : text
    }

    static func serialize(_ value: NormalJSON, _ rng: inout DifferentialRNG) -> [UInt8] {
        func go(_ v: NormalJSON) -> String {
            switch v {
            case .null: return "null"
            case .bool(let b): return b ? "true" : "false"
            case .number(let d): return writeNumber(d, &rng)
            case .string(let s): return write(s, &rng)
            case .array(let items):
                return "[" + whitespace(&rng) + items.map { go($0) + whitespace(&rng) }.joined(separator: "," + whitespace(&rng)) + "]"
            case .object(let members):
                return "{" + whitespace(&rng) + members.map { write($0.0, &rng) + whitespace(&rng) + ":" + whitespace(&rng) + go($0.1) + whitespace(&rng) }
                    .joined(separator: "," + whitespace(&rng)) + "}"
            }
        }
        return Array((whitespace(&rng) + go(value) + whitespace(&rng)).utf8)
    }

    static let significant = Array(#"{}[]",:\ 0123456789eE.-+tfnulr/u"#.utf8) + [0x00, 0x09, 0x0A, 0x1F, 0x7F, 0x80, 0xBF, 0xC3, 0xE4, 0xED, 0xF0, 0xFF]

    static func randomByte(_ rng: inout DifferentialRNG) -> UInt8 {
        let r = rng.next()
        return r & 1 == 0 ? significant[Int((r >> 8) % UInt64(significant.count))] : UInt8(truncatingIfNeeded: r >> 32)
    }

    static func mutate(_ bytes: [UInt8], _ rng: inout DifferentialRNG) -> [UInt8] {
        var out = bytes
        for _ in 0...rng.below(3) {
            let i = out.isEmpty ? 0 : rng.below(out.count)
            switch rng.below(8) {
            case 0 where !out.isEmpty: out[i] = randomByte(&rng)
            case 1 where !out.isEmpty: out.remove(at: i)
            case 2: out.insert(randomByte(&rng), at: i)
            case 3 where !out.isEmpty: out.removeSubrange(i...)
            case 4 where !out.isEmpty:
                let j = i + rng.below(out.count - i)
                out.insert(contentsOf: out[i...j], at: rng.below(out.count + 1))
            // A comma before a closing bracket (a trailing comma unless inside a string).
            case 6: if let close = find(in: out, from: i, { $0 == UInt8(ascii: "]") || $0 == UInt8(ascii: "}") }) {
                out.insert(UInt8(ascii: ","), at: close)
            }
            // A number (if the digit is not in a string) past Double's range.
            case 7: if let digit = find(in: out, from: i, { (0x30...0x39).contains($0) }) {
                let isNumber = { (byte: UInt8) in (0x30...0x39).contains(byte) || byte == 0x2E || byte == 0x65 || byte == 0x45 || byte == 0x2B || byte == 0x2D }
                var start = digit, end = digit + 1
                while start > 0, isNumber(out[start - 1]) { start -= 1 }
                while end < out.count, isNumber(out[end]) { end += 1 }
                out.replaceSubrange(start..<end, with: Array((rng.below(2) == 0 ? "1e999" : "-2E+400").utf8))
            }
            default: if !out.isEmpty { out[i] ^= 1 << UInt8(rng.below(8)) }
            }
        }
        return out
    }

    /// The first index from `start` on (wrapping round) whose byte is `wanted`.
    static func find(in bytes: [UInt8], from start: Int, _ wanted: (UInt8) -> Bool) -> Int? {
        guard !bytes.isEmpty else { return nil }
        for k in 0..<bytes.count where wanted(bytes[(start + k) % bytes.count]) { return (start + k) % bytes.count }
        return nil
    }

    static func randomBytes(_ rng: inout DifferentialRNG) -> [UInt8] {
        var out: [UInt8] = []
        for _ in 0..<rng.below(25) { out.append(randomByte(&rng)) }
        return out
    }

    /// Nesting near and past the depth limit, and long runs.
    static func deepOrLong(_ rng: inout DifferentialRNG) -> [UInt8] {
        let n = Int.random(in: 500...530, using: &rng)
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return Array((String(repeating: "[", count: n) + String(repeating: "]", count: n)).utf8)
        case 1: return Array((String(repeating: #"{"a":"#, count: n) + "0" + String(repeating: "}", count: n)).utf8)
        case 2: return Array(String(repeating: "[", count: n * 4).utf8)
        default: return Array(("\"" + String(repeating: "\\u00e9", count: n) + "\"").utf8)
        }
    }
}
