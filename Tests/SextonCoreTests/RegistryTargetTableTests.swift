@testable import SextonCore
import Testing

@Suite struct RegistryTargetTableTests {
    @Test func keepsABusyTargetAndDropsAnIdleOne() {
        var table = TargetTable()
        var (slot, state) = table.checkOut("a")
        #expect(state.isIdle)
        state.version = 3
        table.checkIn(slot: slot, state: state)
        #expect(table["a"]?.version == 3)

        let idle = table.checkOut("b")
        table.checkIn(slot: idle.slot, state: idle.state)
        #expect(table["b"] == nil)
    }

    @Test func reusesTheSlotOfADroppedTargetWithAnEmptyState() {
        var table = TargetTable()
        var first = table.checkOut("a")
        first.state.version = 1
        table.checkIn(slot: first.slot, state: first.state)
        var again = table.checkOut("a")
        #expect(again.slot == first.slot && again.state.version == 1)
        again.state.version = 0
        table.checkIn(slot: again.slot, state: again.state)
        #expect(table["a"] == nil)

        let reused = table.checkOut("c")
        #expect(reused.slot == first.slot && reused.state.isIdle)
        let fresh = table.checkOut("d")
        #expect(fresh.slot != reused.slot)
    }
}
