@testable import SextonCore
import Testing

@Suite struct RegistryShardHashTests {
    @Test func spreadsSimilarKeysOverEveryShard() {
        var counts = [Int](repeating: 0, count: 32)
        for n in 0..<3_200 { counts[ShardHash.of("target-\(n)", bits: 5)] += 1 }
        #expect(counts.allSatisfy { (50...150).contains($0) })
        #expect(ShardHash.of("anything", bits: 0) == 0)
    }
}
