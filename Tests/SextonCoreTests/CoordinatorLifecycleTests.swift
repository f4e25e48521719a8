import SextonCore
import Testing

@Suite struct CoordinatorLifecycleTests {
    @Test func happyPathRecordsTimestamps() throws {
        let h = CoordinatorHarness()
        let t0 = h.clock.now()
        try h.submit("a")
        h.advance(.seconds(1))
        try h.coordinator.start("a")
        h.advance(.seconds(1))
        try h.coordinator.heartbeat("a")
        h.advance(.seconds(1))
        try h.coordinator.complete("a", outcome: .succeeded)
        let view = try #require(h.coordinator.operation("a"))
        #expect(view.status == .succeeded)
        #expect(view.submittedAt == t0)
        #expect(view.admittedAt == t0)
        #expect(view.startedAt == t0 + .seconds(1))
        #expect(view.lastHeartbeatAt == t0 + .seconds(2))
        #expect(view.endedAt == t0 + .seconds(3))
        #expect(view.inRegistry)
        #expect(!view.isZombie)
        #expect(h.coordinator.target("t").active == nil)
        #expect(h.events["completed.succeeded"] == 1)
    }

    @Test func unknownIDsAreNotFound() {
        let h = CoordinatorHarness()
        expectSextonError(.notFound) { () throws(SextonError) in try h.coordinator.start("nope") }
        expectSextonError(.notFound) { () throws(SextonError) in try h.coordinator.heartbeat("nope") }
        expectSextonError(.notFound) { () throws(SextonError) in try h.coordinator.complete("nope", outcome: .failed) }
        expectSextonError(.notFound) { () throws(SextonError) in try h.coordinator.cancel("nope") }
        #expect(h.coordinator.operation("nope") == nil)
    }

    @Test func refusedTransitions() throws {
        let h = CoordinatorHarness()
        try h.submit("a")
        expectConflict(.admitted) { () throws(SextonError) in try h.coordinator.complete("a", outcome: .succeeded) }
        expectConflict(.admitted) { () throws(SextonError) in try h.coordinator.heartbeat("a") }
        try h.coordinator.start("a")
        expectConflict(.executing) { () throws(SextonError) in try h.coordinator.start("a") }
        try h.coordinator.complete("a", outcome: .succeeded)
        expectConflict(.succeeded) { () throws(SextonError) in try h.coordinator.complete("a", outcome: .failed) }
        expectConflict(.succeeded) { () throws(SextonError) in try h.coordinator.cancel("a") }
        try h.submit("b")
        expectSextonError(.invalidArgument, field: "outcome") { () throws(SextonError) in
            try h.coordinator.complete("b", outcome: .expired)
        }
        try h.submit("loser")
        expectConflict(.rejected, reason: "grace_period") { () throws(SextonError) in try h.coordinator.start("loser") }
    }

    @Test func failureMakesAZombieWithItsError() throws {
        let h = CoordinatorHarness()
        try h.admitAndStart("a")
        try h.coordinator.complete("a", outcome: .failed, error: "disk full")
        let view = try #require(h.coordinator.operation("a"))
        #expect(view.status == .failed)
        #expect(view.error == "disk full")
        #expect(view.isZombie)
        #expect(h.sink.all.map(\.reason) == [.failed])
        #expect(h.sink.all.first?.status == .failed)
        #expect(h.coordinator.target("t").active == nil)
        #expect(try h.submit("b")?.isAdmitted == true)
    }

    @Test func leaseExpiresWhenNeverStarted() throws {
        let h = CoordinatorHarness { $0.leaseTimeout = .seconds(30) }
        try h.submit("a")
        h.advance(.seconds(29))
        h.coordinator.maintain()
        #expect(h.status("a") == .admitted)
        h.advance(.seconds(1))
        #expect(h.coordinator.nextMaintenanceDeadline! <= h.clock.now())
        h.coordinator.maintain()
        #expect(h.status("a") == .expired)
        #expect(h.sink.all.map(\.reason) == [.expired])
        #expect(h.events["completed.expired"] == 1)
        expectConflict(.expired) { () throws(SextonError) in try h.coordinator.start("a") }
    }

    @Test func leaseOfAnExecutingOperationRunsFromTheLastHeartbeat() throws {
        let h = CoordinatorHarness { $0.leaseTimeout = .seconds(30) }
        try h.admitAndStart("a")
        h.advance(.seconds(20))
        try h.coordinator.heartbeat("a")
        h.advance(.seconds(20))
        h.coordinator.maintain()
        #expect(h.status("a") == .executing)
        h.advance(.seconds(10))
        h.coordinator.maintain()
        #expect(h.status("a") == .expired)
        #expect(h.coordinator.target("t").active == nil)
    }

    @Test func anExpiredLeaseIsAppliedOnTheNextCallEvenWithoutMaintenance() throws {
        let h = CoordinatorHarness { $0.leaseTimeout = .seconds(30) }
        try h.admitAndStart("a")
        h.advance(.seconds(31))
        expectConflict(.expired) { () throws(SextonError) in try h.coordinator.heartbeat("a") }
        #expect(h.sink.all.count == 1)
        h.coordinator.maintain()
        #expect(h.sink.all.count == 1)
    }

    @Test func leaseZeroDisablesExpiry() throws {
        let h = CoordinatorHarness { $0.leaseTimeout = .zero }
        try h.submit("a")
        h.advance(.seconds(86_400))
        h.coordinator.maintain()
        #expect(h.status("a") == .admitted)
    }

    @Test func cancelFreesTheTargetAndTheEntityAtOnce() throws {
        let h = CoordinatorHarness()
        let decision = try #require(try h.submit("a"))
        try h.coordinator.cancel("a")
        let view = try #require(h.coordinator.operation("a"))
        #expect(view.status == .cancelled)
        #expect(!view.inRegistry)
        #expect(!view.isZombie)
        #expect(h.coordinator.snapshot().registryEntities == 0)
        #expect(!h.coordinator.removeZombie(decision.ecsId!, operationID: "a"))
        #expect(try h.submit("b")?.isAdmitted == true)
        try h.coordinator.start("b")
        try h.coordinator.cancel("b")
        #expect(h.sink.all.isEmpty)
        #expect(h.events["completed.cancelled"] == 2)
        #expect(h.coordinator.snapshot().registryEntities == 0)
    }

    @Test func cancellingAStagedOperationIsRefused() throws {
        let h = CoordinatorHarness { $0.stagingWindow = .milliseconds(5) }
        try h.submit("a")
        expectConflict(.staged) { () throws(SextonError) in try h.coordinator.cancel("a") }
        h.scheduler.advance(by: .milliseconds(5))
        try h.coordinator.cancel("a")
        #expect(h.status("a") == .cancelled)
    }

    @Test func zombieRemovalIsOnceAndOnlyForZombies() throws {
        let h = CoordinatorHarness()
        try h.admitAndStart("a")
        let entity = try #require(h.coordinator.operation("a")?.ecsId)
        #expect(!h.coordinator.removeZombie(entity, operationID: "a"))
        try h.coordinator.complete("a", outcome: .failed)
        #expect(!h.coordinator.removeZombie(entity, operationID: "someone-else"))
        #expect(h.coordinator.removeZombie(entity, operationID: "a"))
        #expect(!h.coordinator.removeZombie(entity, operationID: "a"))
        let snapshot = h.coordinator.snapshot()
        #expect(snapshot.zombiesInRegistry == 0)
        #expect(snapshot.zombiesRemoved == 1)
        #expect(h.coordinator.operation("a")?.inRegistry == false)
        #expect(h.coordinator.operation("a")?.ecsId == entity)
        expectIdentities(snapshot, zombiesHandedOut: 1)
    }

    @Test func staleEntityNeverResolvesToItsSuccessor() throws {
        let h = CoordinatorHarness()
        try h.admitAndStart("a")
        try h.coordinator.complete("a", outcome: .failed)
        let stale = try #require(h.coordinator.operation("a")?.ecsId)
        #expect(h.coordinator.removeZombie(stale, operationID: "a"))
        // The freed index goes to the next admission at once, with a new generation, while
        // "a" is still remembered (and still shows its ecs_id).
        #expect(h.coordinator.operation("a")?.ecsId == stale)
        let fresh = try #require(try h.submit("b")?.ecsId)
        #expect(fresh.index == stale.index)
        #expect(fresh.generation == stale.generation + 1)
        try h.coordinator.start("b")
        try h.coordinator.complete("b", outcome: .failed)
        #expect(!h.coordinator.removeZombie(stale, operationID: "b"))
        #expect(h.coordinator.removeZombie(fresh, operationID: "b"))
    }
}
