import SextonCore
import Testing

@Suite struct CoordinatorRetentionTests {
    @Test func succeededLeavesTheRegistryThenIsForgotten() throws {
        let h = CoordinatorHarness { $0.historyRetention = .seconds(60) }
        try h.admitAndStart("a")
        try h.coordinator.complete("a", outcome: .succeeded)
        h.advance(.seconds(59))
        h.coordinator.maintain()
        #expect(h.coordinator.operation("a")?.inRegistry == true)
        #expect(h.coordinator.snapshot().registryEntities == 1)
        h.advance(.seconds(1))
        h.coordinator.maintain()
        #expect(h.coordinator.operation("a")?.inRegistry == false)
        #expect(h.coordinator.snapshot().registryEntities == 0)
        h.advance(.seconds(59))
        h.coordinator.maintain()
        #expect(h.coordinator.operation("a") != nil)
        h.advance(.seconds(1))
        h.coordinator.maintain()
        #expect(h.coordinator.operation("a") == nil)
        #expect(h.coordinator.snapshot().byStatus[.succeeded] == 0)
        #expect(h.coordinator.nextMaintenanceDeadline == nil)
    }

    @Test func rejectedAndCancelledAreForgottenAfterRetention() throws {
        let h = CoordinatorHarness { $0.historyRetention = .seconds(10) }
        try h.admitAndStart("a")
        try h.submit("busy")
        try h.coordinator.cancel("a")
        h.advance(.seconds(10))
        h.coordinator.maintain()
        #expect(h.coordinator.operation("busy") == nil)
        #expect(h.coordinator.operation("a") == nil)
    }

    @Test func zombiesStayQueryableUntilRetentionAfterRemoval() throws {
        let h = CoordinatorHarness { $0.historyRetention = .seconds(10) }
        try h.admitAndStart("a")
        try h.coordinator.complete("a", outcome: .failed)
        h.advance(.seconds(3600))
        h.coordinator.maintain()
        #expect(h.coordinator.operation("a")?.isZombie == true)
        let entity = try #require(h.coordinator.operation("a")?.ecsId)
        #expect(h.coordinator.removeZombie(entity, operationID: "a"))
        h.advance(.seconds(9))
        h.coordinator.maintain()
        #expect(h.coordinator.operation("a")?.status == .failed)
        h.advance(.seconds(1))
        h.coordinator.maintain()
        #expect(h.coordinator.operation("a") == nil)
    }

    @Test func liveIDsAreUniqueAndEndedOnesMayBeReused() throws {
        let h = CoordinatorHarness()
        try h.submit("a")
        expectSextonError(.conflict, field: "id") { () throws(SextonError) in try h.submit("a", on: "elsewhere") }
        try h.coordinator.start("a")
        expectSextonError(.conflict, field: "id") { () throws(SextonError) in try h.submit("a", on: "elsewhere") }
        try h.coordinator.complete("a", outcome: .succeeded)
        let again = try #require(try h.submit("a", on: "elsewhere"))
        #expect(again.isAdmitted)
        #expect(h.coordinator.operation("a")?.target == "elsewhere")
        // Forgetting the first operation later must not drop the id of the second.
        h.advance(.seconds(600))
        h.coordinator.maintain()
        #expect(h.coordinator.operation("a")?.target == "elsewhere")
        #expect(h.status("a") == .expired)
    }

    @Test func duplicateIDsInOneBatch() throws {
        let h = CoordinatorHarness()
        let results = h.coordinator.submitBatch([
            OperationRequest(id: "same", target: "t"), OperationRequest(id: "same", target: "u"),
        ])
        #expect(try results[0].get().isAdmitted)
        #expect(throws: SextonError.self) { try results[1].get() }
        #expect(h.coordinator.operation("same")?.target == "t")
    }

    @Test func generatedIDsAreUUIDs() throws {
        let h = CoordinatorHarness()
        let box = DecisionBox()
        try h.coordinator.submit(OperationRequest(target: "t"), completion: box.completion)
        #expect(box.count == 1)
        let snapshot = h.coordinator.snapshot()
        #expect(snapshot.admitted == 1)
        let results = h.coordinator.submitBatch([OperationRequest(target: "u"), OperationRequest(target: "u")])
        let ids = try results.map { try $0.get().id }
        #expect(Set(ids).count == 2)
        for id in ids {
            #expect(id.count == 36)
            #expect(id.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
            #expect(h.coordinator.operation(id) != nil)
        }
    }

    /// Generated ids are kept short inside; every way in and out uses the UUID.
    @Test func aGeneratedIDWorksEverywhereAsItsUUID() throws {
        let h = CoordinatorHarness()
        try h.admitAndStart("holder", .low)
        h.advance(.seconds(1))
        let results = h.coordinator.submitBatch([OperationRequest(target: "t", priority: .high)])
        let winner = try results[0].get()
        #expect(winner.isAdmitted && winner.id.count == 36)
        #expect(h.coordinator.operation("holder")?.winner == winner.id)
        #expect(h.sink.all.first?.operationID == "holder")
        let loser = try h.coordinator.submitBatch([OperationRequest(target: "t")])[0].get()
        #expect(loser.winner == winner.id && loser.id.count == 36 && loser.id != winner.id)
        #expect(h.coordinator.operation(loser.id)?.winner == winner.id)
        #expect(h.coordinator.target("t").active?.id == winner.id)

        let child = try #require(try h.submit(OperationRequest(id: "child", target: "c", parent: winner.id)))
        #expect(h.coordinator.operation(child.id)?.effectivePriority == .high)
        try h.coordinator.start(winner.id)
        try h.coordinator.complete(winner.id, outcome: .failed)
        let zombie = try #require(h.sink.all.last)
        #expect(zombie.operationID == winner.id)
        #expect(h.coordinator.removeZombie(zombie.entity, operationID: winner.id))
        #expect(throws: SextonError.self) { try h.coordinator.start(winner.id) }
        do { try h.coordinator.start(winner.id) } catch { #expect(error.message.contains(winner.id)) }
        do {
            try h.coordinator.submit(OperationRequest(id: loser.id, target: "x")) { _ in }
        } catch {
            Issue.record("an ended operation's id may be reused: \(error)")
        }
        let live = try h.coordinator.submitBatch([OperationRequest(target: "z")])[0].get()
        let again = h.coordinator.submitBatch([OperationRequest(id: live.id, target: "y")])
        #expect(throws: SextonError.self) { try again[0].get() }
        if case .failure(let error) = again[0] { #expect(error.code == .conflict && error.message.contains(live.id)) }
    }

    /// A preempted zombie can outlive its winner (here the winner succeeds and is forgotten
    /// while nothing removes the zombie): it still names the winner.
    @Test func aPreemptedZombieKeepsNamingItsForgottenWinner() throws {
        let h = CoordinatorHarness { $0.historyRetention = .seconds(10) }
        try h.admitAndStart("a", .low)
        h.advance(.seconds(1))
        try h.admitAndStart("b", .high)
        try h.coordinator.complete("b", outcome: .succeeded)
        h.advance(.seconds(20))
        h.coordinator.maintain()
        #expect(h.coordinator.operation("b") == nil)
        #expect(h.coordinator.operation("a")?.isZombie == true)
        #expect(h.coordinator.operation("a")?.winner == "b")
    }

    /// Records name their target and their extras by slot: an operation reusing a forgotten
    /// one's slots (same target, so same shard, whose free slots are reused last-in first-out)
    /// sees its own target and none of the old lineage, and history keeps its target's name
    /// after the target has nothing else to remember.
    @Test func reusedSlotsCarryNothingOfTheForgottenOperation() throws {
        let h = CoordinatorHarness { $0.historyRetention = .seconds(10) }
        try h.submit(OperationRequest(id: "old", target: "x", parent: "p", retryOf: "r", retryCount: 2))
        try h.coordinator.cancel("old")
        #expect(h.coordinator.operation("old")?.target == "x")
        #expect(h.coordinator.operation("old")?.retryCount == 2)
        h.advance(.seconds(10))
        h.coordinator.maintain()
        #expect(h.coordinator.operation("old") == nil)

        try h.submit(OperationRequest(id: "new", target: "x"))
        let new = try #require(h.coordinator.operation("new"))
        #expect(new.target == "x" && new.parent == nil && new.retryOf == nil && new.retryCount == 0)
        try h.coordinator.cancel("new")
        h.advance(.seconds(10))
        h.coordinator.maintain()
        try h.submit(OperationRequest(id: "other", target: "y"))
        #expect(h.coordinator.operation("other")?.target == "y")
        let x = h.coordinator.target("x")
        #expect(x.version == 0 && x.active == nil && x.staged == 0)
    }
}
