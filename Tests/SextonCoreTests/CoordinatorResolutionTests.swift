import SextonCore
import Testing

@Suite struct CoordinatorResolutionTests {
    @Test func freeTargetAdmitsAndGivesAnEntity() throws {
        let h = CoordinatorHarness()
        let decision = try #require(try h.submit("a"))
        #expect(decision.isAdmitted)
        #expect(decision.status == .admitted)
        #expect(decision.winner == "a")
        #expect(decision.targetVersion == 0)
        let entity = try #require(decision.ecsId)
        #expect(h.coordinator.operation("a")?.ecsId == entity)
        #expect(h.coordinator.target("t").active?.id == "a")
        #expect(h.events["admitted"] == 1)
        #expect(h.events["resolution"] == 1)
    }

    /// The reference scenario of the issue, step by step.
    @Test func gracePeriodThenPreemption() throws {
        let h = CoordinatorHarness()
        try h.admitAndStart("A", .normal)

        h.advance(.milliseconds(100))
        let b = try #require(try h.submit("B", .high))
        #expect(!b.isAdmitted)
        #expect(b.reason == .gracePeriod)
        #expect(b.winner == "A")
        #expect(h.coordinator.snapshot().gracePeriodSaves == 1)
        #expect(h.events["graceSave"] == 1)
        #expect(h.events["rejected.staging.grace_period"] == 1)

        h.advance(.milliseconds(150))
        let c = try #require(try h.submit("C", .critical))
        #expect(c.isAdmitted)
        #expect(h.status("A") == .rejected)
        #expect(h.coordinator.operation("A")?.reason == .preempted)
        #expect(h.coordinator.operation("A")?.winner == "C")
        #expect(h.coordinator.operation("A")?.isZombie == true)
        let zombie = try #require(h.sink.all.first)
        #expect(h.sink.all.count == 1)
        #expect(zombie.operationID == "A")
        #expect(zombie.reason == .preempted)
        #expect(zombie.status == .rejected)
        #expect(zombie.entity == h.coordinator.operation("A")?.ecsId)
        #expect(h.events["preempted"] == 1)
        #expect(h.events["rejected.registry.preempted"] == 1)
        #expect(h.events["zombie.preempted"] == 1)

        expectConflict(.rejected, reason: "preempted") { () throws(SextonError) in try h.coordinator.start("A") }
        expectConflict(.rejected, reason: "preempted") { () throws(SextonError) in try h.coordinator.heartbeat("A") }
        expectIdentities(h.coordinator.snapshot(), zombiesHandedOut: 1)
    }

    @Test func equalOrLowerPriorityAfterGraceIsTargetBusy() throws {
        let h = CoordinatorHarness()
        try h.admitAndStart("A", .high)
        h.advance(.seconds(1))
        #expect(try h.submit("B", .high)?.reason == .targetBusy)
        #expect(try h.submit("C", .low)?.reason == .targetBusy)
        #expect(try h.submit("C2", .low)?.winner == "A")
        #expect(h.status("A") == .executing)
    }

    @Test func protectExecutingKeepsAnExecutingHolder() throws {
        let h = CoordinatorHarness { $0.protectExecuting = true }
        try h.admitAndStart("A", .low)
        h.advance(.seconds(1))
        #expect(try h.submit("B", .critical)?.reason == .executingProtected)
        // Protection covers executing only: an admitted, unstarted holder can be preempted.
        try h.coordinator.complete("A", outcome: .succeeded)
        #expect(try h.submit("C", .low)?.isAdmitted == true)
        h.advance(.seconds(1))
        #expect(try h.submit("D", .critical)?.isAdmitted == true)
        #expect(h.coordinator.operation("C")?.reason == .preempted)
    }

    @Test func graceZeroMeansNoProtection() throws {
        let h = CoordinatorHarness { $0.gracePeriod = .zero }
        try h.admitAndStart("A", .low)
        #expect(try h.submit("B", .normal)?.isAdmitted == true)
    }

    @Test(arguments: 3...8)
    func batchAdmitsHighestThenEarliest(size: Int) throws {
        let h = CoordinatorHarness()
        var rng = SplitMix64(seed: UInt64(size))
        let priorities = (0..<size).map { _ in Priority(Int.random(in: 1...10, using: &rng))! }
        let requests = priorities.enumerated().map { OperationRequest(id: "op\($0)", target: "t", priority: $1) }
        let results = h.coordinator.submitBatch(requests)
        let decisions = try results.map { try $0.get() }
        let top = priorities.max()!
        let expected = priorities.firstIndex(of: top)!
        #expect(decisions.map(\.id) == requests.map { $0.id! })
        for (index, decision) in decisions.enumerated() {
            #expect(decision.isAdmitted == (index == expected))
            #expect(decision.winner == "op\(expected)")
            if index != expected { #expect(decision.reason == .lostConflict) }
        }
        #expect(h.events["conflict"] == 1)
        #expect(h.events["rejected.staging.lost_conflict"] == size - 1)
    }

    @Test func tiesGoToTheEarliestSubmissionThenSequence() throws {
        let h = CoordinatorHarness { $0.stagingWindow = .milliseconds(5) }
        try h.submit("first", .high)
        h.advance(.milliseconds(1))
        try h.submit("second", .high)
        try h.submit("third", .high)
        #expect(h.scheduler.advance(by: .milliseconds(5)) == 1)
        #expect(h.decisions["first"]?.isAdmitted == true)
        #expect(h.decisions["second"]?.reason == .lostConflict)
        #expect(h.decisions["third"]?.reason == .lostConflict)

        // Same submission time: the lower sequence wins, whatever the batch order says.
        let batch = CoordinatorHarness()
        let results = batch.coordinator.submitBatch([
            OperationRequest(id: "x", target: "u", priority: .low),
            OperationRequest(id: "y", target: "u", priority: .normal),
            OperationRequest(id: "z", target: "u", priority: .normal),
        ])
        #expect(try results.map { try $0.get().isAdmitted } == [false, true, false])
    }

    @Test func batchMeetingAnActiveOperation() throws {
        let h = CoordinatorHarness()
        try h.admitAndStart("A", .normal)
        h.advance(.seconds(1))
        let results = try h.coordinator.submitBatch([
            OperationRequest(id: "b1", target: "t", priority: .low),
            OperationRequest(id: "b2", target: "t", priority: .high),
            OperationRequest(id: "b3", target: "t", priority: .critical),
        ]).map { try $0.get() }
        #expect(results.map(\.isAdmitted) == [false, false, true])
        #expect(results[0].reason == .lostConflict)
        #expect(results.allSatisfy { $0.winner == "b3" })
        #expect(h.status("A") == .rejected)
    }

    @Test func aSingleOperationMeetingAHolderIsAConflict() throws {
        let h = CoordinatorHarness()
        try h.admitAndStart("A")
        try h.submit("B")
        #expect(h.events["conflict"] == 1)
        #expect(h.events["resolution"] == 1)
        #expect(h.coordinator.snapshot().conflicts == 1)
    }

    @Test func stagingWindowBatchesArrivalsFromTheFirst() throws {
        let h = CoordinatorHarness { $0.stagingWindow = .milliseconds(5) }
        try h.submit("a", on: "t", .low)
        h.advance(.milliseconds(3))
        try h.submit("b", on: "t", .high)
        try h.submit("other", on: "u", .low)
        #expect(h.coordinator.target("t").staged == 2)
        #expect(h.coordinator.snapshot().staged == 3)
        #expect(h.decisions.count == 0)
        #expect(h.scheduler.advance(by: .milliseconds(1)) == 0)
        #expect(h.scheduler.advance(by: .milliseconds(1)) == 1)
        #expect(h.decisions["b"]?.isAdmitted == true)
        #expect(h.decisions["a"]?.reason == .lostConflict)
        #expect(h.decisions["other"] == nil)
        #expect(h.scheduler.advance(by: .milliseconds(3)) == 1)
        #expect(h.decisions["other"]?.isAdmitted == true)
        #expect(h.coordinator.snapshot().staged == 0)
        // The next arrival opens a new window.
        try h.submit("c", on: "t", .low)
        #expect(h.coordinator.target("t").staged == 1)
    }

    @Test func parentRaisesEffectivePriority() throws {
        let h = CoordinatorHarness()
        try h.admitAndStart("parent", on: "p", .critical)
        try h.admitAndStart("holder", on: "t", .high)
        h.advance(.seconds(1))
        let child = try #require(try h.submit("child", on: "t", .low, parent: "parent"))
        #expect(child.isAdmitted)
        let view = try #require(h.coordinator.operation("child"))
        #expect(view.priority == .low)
        #expect(view.effectivePriority == .critical)
        #expect(view.parent == "parent")

        // Grandchildren inherit through the child's effective priority.
        let grandchild = try #require(try h.submit("grandchild", on: "g", .background, parent: "child"))
        #expect(grandchild.isAdmitted)
        #expect(h.coordinator.operation("grandchild")?.effectivePriority == .critical)
        // An unknown parent is accepted and adds nothing.
        try h.submit("orphan", on: "o", .low, parent: "nobody")
        #expect(h.coordinator.operation("orphan")?.effectivePriority == .low)
        #expect(h.coordinator.operation("orphan")?.parent == "nobody")
    }

    @Test func versionConflictsAndIncrements() throws {
        let h = CoordinatorHarness()
        #expect(try h.submit("a", expectedVersion: 1)?.reason == .versionConflict)
        #expect(try h.submit("a0", expectedVersion: 1)?.winner == nil)
        try h.admitAndStart("b")
        try h.coordinator.complete("b", outcome: .succeeded)
        #expect(h.coordinator.target("t").version == 1)
        #expect(try h.submit("c", expectedVersion: 0)?.reason == .versionConflict)
        let d = try #require(try h.submit("d", expectedVersion: 1))
        #expect(d.isAdmitted)
        #expect(d.targetVersion == 1)
        try h.coordinator.start("d")
        try h.coordinator.complete("d", outcome: .failed, error: "boom")
        #expect(h.coordinator.target("t").version == 1)
    }

    @Test func versionConflictIsCheckedBeforeWinnerSelection() throws {
        let h = CoordinatorHarness()
        let results = try h.coordinator.submitBatch([
            OperationRequest(id: "stale", target: "t", priority: .critical, expectedVersion: 3),
            OperationRequest(id: "fresh", target: "t", priority: .low, expectedVersion: 0),
        ]).map { try $0.get() }
        #expect(results[0].reason == .versionConflict)
        #expect(results[0].winner == "fresh")
        #expect(results[1].isAdmitted)
    }

    @Test func batchesSpanningTargetsResolvePerTarget() throws {
        let h = CoordinatorHarness()
        let results = try h.coordinator.submitBatch([
            OperationRequest(id: "t1", target: "x", priority: .low),
            OperationRequest(id: "u1", target: "y", priority: .low),
            OperationRequest(id: "t2", target: "x", priority: .high),
        ]).map { try $0.get() }
        #expect(results.map(\.isAdmitted) == [false, true, true])
        #expect(results.map(\.target) == ["x", "y", "x"])
    }

    @Test func expiredHolderIsReplacedWithoutWaitingForMaintenance() throws {
        let h = CoordinatorHarness { $0.leaseTimeout = .seconds(10) }
        try h.admitAndStart("A", .critical)
        h.advance(.seconds(11))
        #expect(try h.submit("B", .low)?.isAdmitted == true)
        #expect(h.status("A") == .expired)
        #expect(h.sink.all.map(\.reason) == [.expired])
    }
}
