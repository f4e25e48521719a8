@testable import SextonCore
import Testing

@Suite struct RegistryNameTableTests {
    @Test func aNameKeepsItsIndexWhileUsedAndLeavesWithItsLastUse() {
        var table = NameTable()
        let a = table.retain("default")
        let b = table.retain("db_row")
        #expect(table.retain("default") == a)
        #expect(table[a] == "default" && table[b] == "db_row" && table.count == 2)

        table.release(a)
        #expect(table[a] == "default")
        table.release(a)
        #expect(table.count == 1)
        // The freed index is reused for the next new name, and the old name gets a fresh one.
        let c = table.retain("write.v2")
        #expect(c == a && table[c] == "write.v2")
        let d = table.retain("default")
        #expect(d != a && d != b && table[d] == "default")
    }
}
