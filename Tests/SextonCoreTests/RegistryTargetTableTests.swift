@testable import SextonCore
import Testing

@Suite struct RegistryTargetTableTests {
    @Test func keepsABusyTargetAndDropsAnIdleOne() {
        var table = TargetTable()
        var (slot, state) = table.checkOut("a")
        #expect(state.isIdle)
        state.version = 3
        table.checkIn("a", slot: slot, state: state)
        #expect(table["a"]?.version == 3)

        let idle = table.checkOut("b")
        table.checkIn("b", slot: idle.slot, state: idle.state)
        #expect(table["b"] == nil)
    }

    @Test func reusesTheSlotOfADroppedTargetWithAnEmptyState() {
        var table = TargetTable()
        var first = table.checkOut("a")
        first.state.version = 1
        table.checkIn("a", slot: first.slot, state: first.state)
        var again = table.checkOut("a")
        #expect(again.slot == first.slot && again.state.version == 1)
        again.state.version = 0
        table.checkIn("a", slot: again.slot, state: again.state)
        #expect(table["a"] == nil)

        let reused = table.checkOut("c")
        #expect(reused.slot == first.slot && reused.state.isIdle)
        let fresh = table.checkOut("d")
        #expect(fresh.slot != reused.slot)
    }

    /// Against a dictionary, through growth and many deletions (the open-addressing table
    /// leaves deleted buckets behind and must still find every name after them).
    @Test func agreesWithADictionaryThroughGrowthAndDeletions() {
        var table = TargetTable()
        var model: [String: Int] = [:]
        var random = SplitMix64(seed: 7)
        for _ in 0..<20_000 {
            let name = "t\(Int.random(in: 0..<600, using: &random))"
            var (slot, state) = table.checkOut(name)
            #expect(state.version == model[name] ?? 0)
            state.version = Bool.random(using: &random) ? 0 : state.version + 1
            table.checkIn(name, slot: slot, state: state)
            model[name] = state.version == 0 ? nil : state.version
        }
        for index in 0..<600 {
            #expect(table["t\(index)"]?.version == model["t\(index)"])
        }
    }
}
