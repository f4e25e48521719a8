import Testing
@testable import SextonCore

/// `max_history` and `max_targets` (CONTRACT §2.2): memory stays bounded whatever the rate.
@Suite struct CoordinatorCapsTests {
    private func succeed(_ h: CoordinatorHarness, _ id: String, on target: String) throws {
        try h.admitAndStart(id, on: target)
        try h.coordinator.complete(id, outcome: .succeeded)
    }

    @Test func pastMaxHistoryTheOldestEndedAreForgottenFirst() throws {
        let h = CoordinatorHarness { $0.maxHistory = 1000 }
        for i in 0..<1500 { try succeed(h, "op\(i)", on: "t\(i)") }
        let s = h.coordinator.snapshot()
        #expect(s.history == 1000)
        #expect(s.historyEvictions == 500)
        #expect(h.coordinator.operation("op0") == nil)
        #expect(h.coordinator.operation("op499") == nil)
        #expect(h.coordinator.operation("op500")?.status == .succeeded)
        #expect(h.coordinator.operation("op1499")?.status == .succeeded)
        // A forgotten succeeded operation left the registry with it.
        #expect(s.registryEntities == 1000)
        expectIdentities(s, zombiesHandedOut: 0)
        // Its id can be used again.
        #expect(try h.submit("op0", on: "t0")?.isAdmitted == true)
    }

    @Test func liveStagedAndZombieOperationsAreNeverForgotten() throws {
        let h = CoordinatorHarness { $0.maxHistory = 1000 }
        try h.admitAndStart("live", on: "live")
        try h.admitAndStart("zombie", on: "z")
        try h.coordinator.complete("zombie", outcome: .failed)
        for n in 0..<1200 { try succeed(h, "op\(n)", on: "t\(n)") }
        #expect(h.coordinator.operation("live")?.status == .executing)
        #expect(h.coordinator.operation("zombie")?.status == .failed)
        #expect(h.coordinator.operation("op199") == nil)
        #expect(h.coordinator.operation("op200")?.status == .succeeded)
        #expect(h.coordinator.snapshot().history == 1000)
        expectIdentities(h.coordinator.snapshot(), zombiesHandedOut: 1)
    }

    @Test func aStagedOperationIsNeverForgotten() throws {
        let h = CoordinatorHarness { $0.maxHistory = 1000; $0.stagingWindow = .milliseconds(5) }
        #expect(try h.submit("staged", on: "s") == nil)
        // Batches resolve at once: each leaves its loser in history.
        for n in 0..<1200 {
            let results = h.coordinator.submitBatch([
                OperationRequest(id: "win\(n)", target: "t\(n)"), OperationRequest(id: "lose\(n)", target: "t\(n)"),
            ])
            #expect(results.count == 2)
        }
        #expect(h.coordinator.snapshot().history == 1000)
        #expect(h.coordinator.operation("lose199") == nil)
        #expect(h.status("staged") == .staged)
        h.scheduler.advance(by: .milliseconds(5))
        #expect(h.status("staged") == .admitted)
        expectIdentities(h.coordinator.snapshot(), zombiesHandedOut: 0)
    }

    @Test func pastMaxTargetsTheLongestIdleTargetIsForgottenAndItsVersionStartsAgain() throws {
        let h = CoordinatorHarness { $0.maxTargets = 1000; $0.historyRetention = .zero }
        // t0 is the first target to go idle with a version; then a zombie names it, so it is
        // no longer idle and must outlive every eviction.
        try succeed(h, "first", on: "t0")
        h.coordinator.maintain()
        try h.admitAndStart("z", on: "t0")
        try h.coordinator.complete("z", outcome: .failed)
        for i in 1...1000 {
            try succeed(h, "op\(i)", on: "t\(i)")
            h.coordinator.maintain()
        }
        var s = h.coordinator.snapshot()
        #expect(s.targets == 1000)
        #expect(s.targetsEvicted == 1)
        #expect(h.coordinator.target("t0").version == 1)
        #expect(s.zombiesInRegistry == 1)
        // The longest idle went: t1, and its version starts again at 0.
        #expect(h.coordinator.target("t1").version == 0)
        #expect(h.coordinator.target("t2").version == 1)
        // A target named again is no longer idle: t2 is kept, t3 goes next.
        try succeed(h, "again", on: "t2")
        h.coordinator.maintain()
        try succeed(h, "new", on: "t1001")
        h.coordinator.maintain()
        s = h.coordinator.snapshot()
        #expect(s.targetsEvicted == 2)
        #expect(h.coordinator.target("t2").version == 2)
        #expect(h.coordinator.target("t3").version == 0)
        // A stale expected_version on a forgotten target now meets version 0.
        #expect(try h.submit("stale", on: "t3", expectedVersion: 1)?.reason == .versionConflict)
        #expect(try h.submit("fresh", on: "t3", expectedVersion: 0)?.isAdmitted == true)
    }
}
