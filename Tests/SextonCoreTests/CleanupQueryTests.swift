import Testing
@testable import SextonCore
import SextonCoreTesting

@Suite struct CleanupQueryTests {
    private func populated() -> CleanupRig {
        let rig = CleanupRig { $0.strategy = .none }
        for (i, (target, type)) in [("a", "db"), ("b", "db"), ("a", "cache"), ("c", "db"), ("a", "db")].enumerated() {
            rig.create("op\(i)", target: target, targetType: type)
            rig.clock.advance(by: .seconds(10))
        }
        return rig
    }

    @Test func listingsAreOldestFirstAndFiltered() async {
        let rig = populated()
        #expect(rig.engine.zombies().map(\.zombie.operationID) == ["op0", "op1", "op2", "op3", "op4"])
        #expect(rig.engine.zombies(limit: 2).map(\.zombie.operationID) == ["op0", "op1"])
        #expect(rig.engine.zombies(target: "a").map(\.zombie.operationID) == ["op0", "op2", "op4"])
        #expect(rig.engine.zombies(targetType: "db").map(\.zombie.operationID) == ["op0", "op1", "op3", "op4"])
        #expect(rig.engine.zombies(target: "a", targetType: "db").map(\.zombie.operationID) == ["op0", "op4"])
        #expect(rig.engine.zombies(target: "nobody").isEmpty)
        #expect(rig.engine.zombieCount(target: "a") == 3)
    }

    @Test func snapshotCountsByTypeAndTheOldestZombie() async {
        let rig = populated()
        let snapshot = rig.engine.snapshot()
        #expect(snapshot.zombieCount == 5)
        #expect(snapshot.zombiesByTargetType == ["db": 4, "cache": 1])
        #expect(snapshot.oldestZombieAge == .seconds(50))
        #expect(snapshot.backlog == 0)
    }

    @Test func aPurgeEmptiesEveryIndexAndTheIdentityHolds() async {
        let rig = populated()
        rig.expectIdentity()
        let purge = await rig.engine.runPass(trigger: .manual, all: true)
        #expect(purge.candidates == 5)
        #expect(purge.cleaned == 5)
        #expect(rig.remover.removed == ["op0", "op1", "op2", "op3", "op4"])
        let snapshot = rig.engine.snapshot()
        #expect(snapshot.zombieCount == 0)
        #expect(snapshot.zombiesByTargetType.isEmpty)
        #expect(snapshot.oldestZombieAge == nil)
        #expect(snapshot.zombiesCreated == 5)
        #expect(snapshot.zombiesCleaned == 5)
        #expect(rig.engine.zombies(target: "a").isEmpty)
        #expect(snapshot.lastPass == purge)
        // Slots freed by the purge are reused without mixing up the indexes.
        rig.create("again", target: "a", targetType: "cache")
        #expect(rig.engine.zombies(target: "a").map(\.zombie.operationID) == ["again"])
        #expect(rig.engine.snapshot().zombiesByTargetType == ["cache": 1])
        rig.expectIdentity()
    }

    @Test func passesReportTheirTriggerAndTimings() async {
        let rig = populated()
        let pass = await rig.engine.runPass(trigger: .schedule)
        #expect(pass.trigger == .schedule)
        #expect(!pass.dryRun)
        #expect(pass.finishedAt == rig.clock.now())
        #expect(rig.observer.recorded.passes == [pass])
    }

    @Test func memoryPressureIsSampledAtStartAndByEveryPass() async {
        let rig = CleanupRig(memory: 0.3)
        #expect(rig.engine.memoryPressure == 0.3)
        rig.memory.set(0.5)
        #expect(rig.engine.memoryPressure == 0.3)
        await rig.engine.runPass()
        #expect(rig.engine.snapshot().memoryPressure == 0.5)
    }

    @Test func withoutARemoverZombiesAreStillAccounted() async {
        let engine = CleanupEngine(config: CleanupConfig(), clock: ManualClock())
        let rig = CleanupRig()
        engine.zombieCreated(rig.zombie(priority: .critical))
        let snapshot = engine.snapshot()
        #expect(snapshot.zombiesCreated == 1)
        #expect(snapshot.zombiesCleaned == 1)
    }
}
