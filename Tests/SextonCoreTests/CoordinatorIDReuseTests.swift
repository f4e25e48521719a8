import SextonCore
import Testing

/// A single submission claims its id under its shard's lock; an id held by an ended operation
/// of another shard goes through a reservation instead. Targets land on shards by a per-process
/// hash seed, so these tests use enough targets to meet both cases.
@Suite struct CoordinatorIDReuseTests {
    @Test func endedOperationsIdsAreReusedOnAnyTarget() throws {
        let h = CoordinatorHarness()
        for n in 0..<64 {
            try h.admitAndStart("r\(n)", on: "first\(n)")
            expectSextonError(.conflict, field: "id") { () throws(SextonError) in try h.submit("r\(n)", on: "second\(n)") }
            try h.coordinator.cancel("r\(n)")
            let again = try #require(try h.submit("r\(n)", on: "second\(n)"))
            #expect(again.isAdmitted)
            #expect(h.coordinator.operation("r\(n)")?.target == "second\(n)")
        }
        let s = h.coordinator.snapshot()
        #expect(s.submitted == 128 && s.active == 64 && s.cancelled == 64)
        expectIdentities(s, zombiesHandedOut: 0)
    }

    @Test func aRefusedReuseLeavesTheIDWithTheEndedOperation() throws {
        let h = CoordinatorHarness {
            $0.stagingWindow = .milliseconds(5)
            $0.maxOpsPerTarget = 1
        }
        for n in 0..<64 {
            try h.submit("old\(n)", on: "a\(n)")
        }
        h.scheduler.advance(by: .milliseconds(5))
        for n in 0..<64 {
            try h.coordinator.cancel("old\(n)")
            try h.submit("filler\(n)", on: "b\(n)")
            expectSextonError(.stagingFull) { () throws(SextonError) in try h.submit("old\(n)", on: "b\(n)") }
            #expect(h.coordinator.operation("old\(n)")?.status == .cancelled)
            #expect(h.coordinator.operation("old\(n)")?.target == "a\(n)")
        }
        h.scheduler.advance(by: .milliseconds(5))
        for n in 0..<64 {
            try h.submit("old\(n)", on: "c\(n)")
        }
        h.scheduler.advance(by: .milliseconds(5))
        #expect((0..<64).allSatisfy { h.coordinator.operation("old\($0)")?.target == "c\($0)" })
        #expect((0..<64).allSatisfy { h.status("old\($0)") == .admitted })
    }
}
