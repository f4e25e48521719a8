@testable import SextonCore
import Testing

@Suite struct RegistryStoredIDTests {
    private func isCanonicalV4(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12]
            && groups.allSatisfy { $0.allSatisfy { "0123456789abcdef".contains($0) } }
            && groups[2].first == "4" && "89ab".contains(groups[3].first!)
    }

    @Test func aGeneratedIDIsAShortStringShownAsAUUIDAndFoundByIt() {
        var seen = Set<String>()
        for _ in 0..<1_000 {
            let id = StoredID.generate()
            #expect(id.text.utf8.count == 15)
            let uuid = id.external
            #expect(isCanonicalV4(uuid))
            #expect(StoredID(uuid) == id)
            seen.insert(uuid)
        }
        #expect(seen.count == 1_000)
    }

    /// Every id from outside maps to one stored form and back: only UUIDs whose check bits
    /// match are shortened, everything else is kept as sent.
    @Test func otherIDsAreKeptVerbatim() {
        var random = SplitMix64(seed: 11)
        var shortened = 0
        for _ in 0..<1_000 {
            let raw = UInt128(random.next()) << 64 | UInt128(random.next())
            let hex = String(raw, radix: 16).leftPadded(to: 32)
            var chars = Array(hex)
            chars[12] = "4"
            chars[16] = "a"
            let uuid = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(chars[$0]) }.joined(separator: "-")
            let stored = StoredID(uuid)
            if stored.text != uuid { shortened += 1 }
            #expect(stored.external == uuid)
        }
        #expect(shortened == 0)
        let generated = StoredID.generate().external
        for text in ["a", "op-1", generated.uppercased(), String(generated.map { $0 == "-" ? "_" : $0 }), String(generated.dropLast())] {
            #expect(StoredID(text).text == text && StoredID(text).external == text)
        }
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
