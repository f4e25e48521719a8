import SextonCore
import Testing

@Suite struct RegistryTests {
    @Test func freedIndexIsReusedWithANewGeneration() {
        var registry = EntityRegistry()
        let first = registry.create()
        #expect(first.description == "0v0")
        let destroyed = registry.destroy(first)
        #expect(destroyed)
        let second = registry.create()
        #expect(second.index == first.index)
        #expect(second.generation == first.generation + 1)
        #expect(registry.count == 1)
    }

    @Test func staleIDNeverResolves() {
        var registry = EntityRegistry()
        let stale = registry.create()
        registry.destroy(stale)
        let fresh = registry.create()
        #expect(!registry.contains(stale))
        #expect(registry.slot(of: stale) == nil)
        let destroyedAgain = registry.destroy(stale)
        #expect(!destroyedAgain)
        #expect(registry.contains(fresh))
    }

    @Test func unissuedAndForgedIDsDoNotResolve() {
        var registry = EntityRegistry()
        let entity = registry.create()
        #expect(!registry.contains(EntityID(index: 7, generation: 0)))
        #expect(!registry.contains(EntityID(index: entity.index, generation: entity.generation | 1 << 31)))
        registry.destroy(entity)
        // The slot's next generation is not alive until it is handed out again.
        #expect(!registry.contains(EntityID(index: entity.index, generation: entity.generation + 1)))
    }

    @Test func tagsSeparateRegistriesSharingOneIDSpace() {
        var a = EntityRegistry(tag: 1, tagBits: 2)
        var b = EntityRegistry(tag: 2, tagBits: 2)
        let fromA = a.create()
        let fromB = b.create()
        #expect(fromA != fromB)
        #expect(EntityRegistry.tag(of: fromA, tagBits: 2) == 1)
        #expect(EntityRegistry.tag(of: fromB, tagBits: 2) == 2)
        #expect(!b.contains(fromA))
        #expect(a.slot(of: fromA) == 0)
    }

    @Test func manyCreatesAndDestroysKeepSlotsDense() {
        var registry = EntityRegistry()
        var live: [EntityID] = []
        for round in 0..<1000 {
            live.append(registry.create())
            if round % 3 == 2 { registry.destroy(live.removeFirst()) }
        }
        #expect(registry.count == live.count)
        #expect(registry.slotCount <= live.count + 1)
        let registryCopy = registry
        #expect(live.allSatisfy { registryCopy.contains($0) })
    }

    @Test func renderingRoundTrips() {
        let id = EntityID(index: 42, generation: 3)
        #expect(id.description == "42v3")
        #expect(EntityID("42v3") == id)
    }
}
