import Testing
@testable import SextonCore

@Suite struct CleanupAdaptiveTests {
    @Test func memoryPressureAtCreationMakesCleanupImmediate() async {
        let rig = CleanupRig({ $0.strategy = .deferred }, memory: 0.85)
        rig.create("a")
        #expect(rig.remover.removed == ["a"])
        #expect(rig.engine.snapshot().triggers == [.memoryPressure: 1])
        #expect(rig.observer.recorded.triggers == [.memoryPressure])
    }

    @Test func memoryPressureIsIgnoredWhenNotAggressive() async {
        let rig = CleanupRig({
            $0.strategy = .deferred
            $0.aggressiveOnMemoryPressure = false
        }, memory: 0.99)
        rig.create("a")
        #expect(rig.remover.removed.isEmpty)
    }

    @Test func aPassUnderMemoryPressureRemovesEveryZombie() async {
        let rig = CleanupRig { $0.strategy = .deferred }
        rig.create("a")
        rig.create("b", target: "other")
        await rig.engine.runPass()
        #expect(rig.remover.removed.isEmpty)
        rig.memory.set(0.9)
        let pass = await rig.engine.runPass(trigger: .schedule)
        #expect(pass.byStrategy == [.immediate: 2])
        #expect(rig.remover.removed == ["a", "b"])
        #expect(rig.engine.snapshot().triggers == [.memoryPressure: 2])
        #expect(rig.engine.memoryPressure == 0.9)
    }

    @Test func overTheForceThresholdNewZombiesAreRemovedAtOnce() async {
        let rig = CleanupRig {
            $0.strategy = .none
            $0.forceCleanupThreshold = 100
        }
        for i in 0..<105 { rig.create("op\(i)", target: "t\(i)") }
        #expect(rig.engine.snapshot().zombieCount == 100)
        #expect(rig.remover.removed == (100..<105).map { "op\($0)" })
        #expect(rig.engine.snapshot().triggers == [.forceThreshold: 5])
        rig.expectIdentity()
    }

    /// In a dry run nothing leaves, so a pass meets the count over the threshold and reports
    /// the oldest zombies beyond it.
    @Test func aPassReportsTheOldestZombiesBeyondTheForceThreshold() async {
        let rig = CleanupRig {
            $0.strategy = .none
            $0.forceCleanupThreshold = 100
            $0.immediatePriorities = []
            $0.dryRun = true
        }
        for i in 0..<103 { rig.create("op\(i)", target: "t\(i)") }
        let reportedAtCreation = rig.observer.recorded.dryRunCandidates.map(\.id)
        #expect(reportedAtCreation == ["op100", "op101", "op102"])
        let pass = await rig.engine.runPass(trigger: .schedule)
        // The three oldest beyond the threshold, then the three held immediate ones.
        #expect(pass.candidates == 6)
        #expect(rig.observer.recorded.dryRunCandidates.dropFirst(3).map(\.id) == ["op0", "op1", "op2", "op100", "op101", "op102"])
        #expect(rig.remover.removed.isEmpty)
    }

    @Test func thePerTargetCapRemovesTheOldestFirst() async {
        let rig = CleanupRig {
            $0.strategy = .deferred
            $0.maxZombiesPerTarget = 3
        }
        for i in 0..<5 { rig.create("op\(i)", target: "hot") }
        rig.create("cold", target: "cold")
        #expect(rig.remover.removed == ["op0", "op1"])
        #expect(rig.engine.zombies(target: "hot").map(\.zombie.operationID) == ["op2", "op3", "op4"])
        #expect(rig.engine.zombieCount(target: "hot") == 3)
        #expect(rig.engine.snapshot().triggers == [.targetCap: 2])
        #expect(rig.observer.recorded.cleaned.map(\.strategy) == [.immediate, .immediate])
    }

    @Test func aPassEnforcesTheCapOnTargetsADryRunLeftOverIt() async {
        let rig = CleanupRig {
            $0.strategy = .none
            $0.maxZombiesPerTarget = 2
            $0.dryRun = true
        }
        for i in 0..<4 { rig.create("op\(i)", target: "hot") }
        #expect(rig.observer.recorded.dryRunCandidates.map(\.id) == ["op0", "op1"])
        let pass = await rig.engine.runPass(dryRun: true)
        #expect(pass.candidates == 2)
        #expect(pass.byStrategy == [.immediate: 2])
        #expect(rig.engine.zombieCount(target: "hot") == 4)
    }

    @Test func immediatePrioritiesApplyWhateverTheConfiguredStrategy() async {
        let rig = CleanupRig { $0.strategy = .none }
        rig.create("crit", priority: .critical)
        rig.create("norm")
        #expect(rig.remover.removed == ["crit"])
        #expect(rig.engine.snapshot().triggers == [.immediatePriority: 1])
    }
}
