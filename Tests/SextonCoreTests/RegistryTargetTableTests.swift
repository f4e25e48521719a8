@testable import SextonCore
import Testing

@Suite struct RegistryTargetTableTests {
    @Test func keepsABusyTargetAndDropsAnIdleOne() {
        var table = TargetTable(shard: 0, idle: IdleTargets(capacity: 1000))
        let a = table.slot(of: "a")
        var state = table.checkOut(a)
        #expect(state.isIdle)
        state.version = 3
        table.checkIn(a, state)
        #expect(table.find("a")?.state.version == 3 && table.name(at: a) == "a")

        let b = table.slot(of: "b")
        table.checkIn(b, table.checkOut(b))
        #expect(table.find("b")?.state == nil)
    }

    /// Records name their target by slot, so the target stays (name and all) until the last
    /// record using it is forgotten, even with nothing else to remember.
    @Test func staysWhileRecordsUseItAndLeavesWithTheLast() {
        var table = TargetTable(shard: 0, idle: IdleTargets(capacity: 1000))
        let a = table.slot(of: "a")
        var state = table.checkOut(a)
        state.uses = 2
        table.checkIn(a, state)
        table.release(a)
        #expect(table.find("a")?.state.uses == 1 && table.name(at: a) == "a")
        table.release(a)
        #expect(table.find("a")?.state == nil)

        // The freed slot goes to the next new target, with an empty state.
        let c = table.slot(of: "c")
        #expect(c == a && table.find("c")?.state.isIdle == true && table.name(at: c) == "c")
        #expect(table.slot(of: "d") != c)
    }
}
