@testable import SextonCore
import Testing

/// The fixed-size parts of one live operation, so a field added to a hot structure shows up
/// here before it shows up in the heap-bytes benchmark (Benchmarks, "Memory at 1,000,000 live
/// operations"). Hash tables and arrays add their slack on top: measured 341 heap bytes per
/// live operation with short ids, of which these strides are about 265.
@Suite struct RegistryLayoutTests {
    @Test func hotStructuresKeepTheirSize() {
        #expect(MemoryLayout<OperationRecord>.stride <= 128)
        #expect(MemoryLayout<TargetState>.stride <= 32)
        #expect(MemoryLayout<IdIndex.Entry>.stride <= 8)
        #expect(MemoryLayout<DeadlineHeap.Entry>.stride <= 16)
        // An operation's handle, which is also its registry entity.
        #expect(MemoryLayout<EntityID>.stride == 8)
    }
}
