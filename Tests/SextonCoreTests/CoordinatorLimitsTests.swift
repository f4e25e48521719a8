import SextonCore
import Testing

@Suite struct CoordinatorLimitsTests {
    @Test func perTargetLimit() throws {
        let h = CoordinatorHarness {
            $0.stagingWindow = .milliseconds(5)
            $0.maxOpsPerTarget = 2
        }
        try h.submit("a")
        try h.submit("b")
        expectSextonError(.stagingFull) { () throws(SextonError) in try h.submit("c") }
        try h.submit("elsewhere", on: "u")
        // The refused id was released: it can be submitted later.
        h.scheduler.advance(by: .milliseconds(5))
        try h.submit("c")
        let s = h.coordinator.snapshot()
        #expect(s.submitted == 4)
        expectIdentities(s, zombiesHandedOut: 0)
    }

    @Test func globalLimit() throws {
        let h = CoordinatorHarness {
            $0.stagingWindow = .milliseconds(5)
            $0.maxStagingSize = 3
            $0.maxOpsPerTarget = 3
        }
        try h.submit("a", on: "x")
        try h.submit("b", on: "y")
        try h.submit("c", on: "z")
        expectSextonError(.stagingFull) { () throws(SextonError) in try h.submit("d", on: "w") }
        let results = h.coordinator.submitBatch([OperationRequest(id: "e", target: "v")])
        #expect(throws: SextonError.self) { try results[0].get() }
        h.scheduler.advance(by: .milliseconds(5))
        try h.submit("d", on: "w")
        #expect(h.coordinator.snapshot().staged == 1)
    }

    @Test func batchMembersOverTheTargetLimitStayOut() throws {
        let h = CoordinatorHarness { $0.maxOpsPerTarget = 2 }
        let results = h.coordinator.submitBatch((0..<4).map { OperationRequest(id: "op\($0)", target: "t") })
        #expect(try results[0].get().isAdmitted)
        #expect(try results[1].get().reason == .lostConflict)
        for result in results[2...] {
            #expect(throws: SextonError(.stagingFull, "target t already has max_ops_per_target (2) operations staged")) {
                try result.get()
            }
        }
        #expect(h.coordinator.operation("op3") == nil)
        expectIdentities(h.coordinator.snapshot(), zombiesHandedOut: 0)
    }
}
