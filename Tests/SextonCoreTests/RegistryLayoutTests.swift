@testable import SextonCore
import Testing

/// The fixed-size parts of one live operation, so a field added to a hot structure shows up
/// here before it shows up in the heap-bytes benchmark (Benchmarks, "Memory at 1,000,000 live
/// operations": 195 heap bytes per live operation). Per admitted operation on its own target
/// that is a record (80), a target state (16) and its name (16), an id-index key (16) and entry
/// (8), a lease entry (16), a record slot state (4), an entity state (4) and its record slot (4),
/// and two half-empty tables of 4-byte buckets; array and table slack adds the rest.
@Suite struct RegistryLayoutTests {
    @Test func hotStructuresKeepTheirSize() {
        #expect(MemoryLayout<OperationRecord>.stride <= 80)
        #expect(MemoryLayout<TargetState>.stride <= 16)
        #expect(MemoryLayout<IdIndex.Entry>.stride <= 8)
        #expect(MemoryLayout<DeadlineEntry>.stride <= 16)
        // An operation's handle, which is also its registry entity.
        #expect(MemoryLayout<EntityID>.stride == 8)
    }
}
