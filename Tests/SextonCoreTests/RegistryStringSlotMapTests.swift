@testable import SextonCore
import Testing

@Suite struct RegistryStringSlotMapTests {
    /// Against a dictionary, through growth and many deletions (the open-addressing table
    /// leaves deleted buckets behind and must still find every key after them).
    @Test func agreesWithADictionaryThroughGrowthAndDeletions() {
        var map = StringSlotMap(vacant: -1, capacity: 1)
        var model: [String: Int] = [:]
        var random = SplitMix64(seed: 7)
        for step in 0..<20_000 {
            let key = "k\(Int.random(in: 0..<600, using: &random))"
            if Bool.random(using: &random), let slot = map.slot(of: key) {
                #expect(map[slot] == model[key] && map.key(at: slot) == key)
                map.remove(slot: slot)
                model[key] = nil
            } else {
                let (slot, inserted) = map.slot(insertingIfAbsent: key, step)
                #expect(inserted == (model[key] == nil))
                if !inserted { map[slot] = step }
                model[key] = step
            }
        }
        #expect(map.count == model.count)
        for index in 0..<600 {
            #expect(map.slot(of: "k\(index)").map { map[$0] } == model["k\(index)"])
        }
    }

    @Test func aFreedSlotIsReusedAndHoldsTheVacantValue() {
        var map = StringSlotMap(vacant: -1, capacity: 4)
        let a = map.slot(insertingIfAbsent: "a", 1).slot
        map.remove(slot: a)
        #expect(map[a] == -1 && map.slot(of: "a") == nil && map.count == 0)
        #expect(map.slot(insertingIfAbsent: "b", 2) == (a, true))
        #expect(map.slot(insertingIfAbsent: "b", 3) == (a, false))
        #expect(map[a] == 2)
    }
}
