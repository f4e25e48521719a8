@testable import SextonCore
import Testing

/// A single submission claims its id under its shard's lock; an id held by an ended operation
/// of another shard goes through a reservation instead. Each test meets both cases.
@Suite struct CoordinatorIDReuseTests {
    /// A new target named after `prefix`, in the shard of `other` for even `n`, in another
    /// shard for odd `n` (the harness has 32 shards).
    private func target(_ prefix: String, _ n: Int, near other: String) -> String {
        let shard = ShardHash.of(other, bits: 5)
        return (0...).lazy.map { "\(prefix)\(n)-\($0)" }.first { (ShardHash.of($0, bits: 5) == shard) == n.isMultiple(of: 2) }!
    }

    @Test func endedOperationsIdsAreReusedOnAnyTarget() throws {
        let h = CoordinatorHarness()
        for n in 0..<16 {
            let second = target("second", n, near: "first\(n)")
            try h.admitAndStart("r\(n)", on: "first\(n)")
            expectSextonError(.conflict, field: "id") { () throws(SextonError) in try h.submit("r\(n)", on: second) }
            try h.coordinator.cancel("r\(n)")
            let again = try #require(try h.submit("r\(n)", on: second))
            #expect(again.isAdmitted)
            #expect(h.coordinator.operation("r\(n)")?.target == second)
        }
        let s = h.coordinator.snapshot()
        #expect(s.submitted == 32 && s.active == 16 && s.cancelled == 16)
        expectIdentities(s, zombiesHandedOut: 0)
    }

    @Test func aRefusedReuseLeavesTheIDWithTheEndedOperation() throws {
        let h = CoordinatorHarness {
            $0.stagingWindow = .milliseconds(5)
            $0.maxOpsPerTarget = 1
        }
        for n in 0..<16 {
            try h.submit("old\(n)", on: "a\(n)")
        }
        h.scheduler.advance(by: .milliseconds(5))
        for n in 0..<16 {
            let full = target("b", n, near: "a\(n)")
            try h.coordinator.cancel("old\(n)")
            try h.submit("filler\(n)", on: full)
            expectSextonError(.stagingFull) { () throws(SextonError) in try h.submit("old\(n)", on: full) }
            #expect(h.coordinator.operation("old\(n)")?.status == .cancelled)
            #expect(h.coordinator.operation("old\(n)")?.target == "a\(n)")
        }
        h.scheduler.advance(by: .milliseconds(5))
        for n in 0..<16 {
            try h.submit("old\(n)", on: "c\(n)")
        }
        h.scheduler.advance(by: .milliseconds(5))
        #expect((0..<16).allSatisfy { h.coordinator.operation("old\($0)")?.target == "c\($0)" })
        #expect((0..<16).allSatisfy { h.status("old\($0)") == .admitted })
    }
}
