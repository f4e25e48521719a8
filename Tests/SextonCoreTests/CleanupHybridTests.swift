import Testing
@testable import SextonCore

@Suite struct CleanupHybridTests {
    private func strategy(
        _ configure: (inout CleanupConfig) -> Void = { _ in }, policies: [String: CleanupOverride] = [:],
        opType: String = "default", priority: Priority = .normal, retryCount: Int = 0, cleanup: CleanupOverride? = nil
    ) -> StrategyLabel? {
        let rig = CleanupRig({
            $0.strategy = .hybrid
            configure(&$0)
        }, policies: policies)
        rig.create("z", opType: opType, priority: priority, retryCount: retryCount, cleanup: cleanup)
        // An immediate zombie is gone; the others are listed with the strategy they are held under.
        return rig.remover.removed == ["z"] ? .immediate : rig.engine.zombies().first?.strategy
    }

    @Test func immediateForImmediatePriorities() {
        #expect(strategy(priority: .critical) == .immediate)
        #expect(strategy({ $0.immediatePriorities = [8, 9, 10] }, priority: .high) == .immediate)
        #expect(strategy({ $0.immediatePriorities = [] }, priority: .critical) == .lazy)
    }

    @Test func immediateForResourceHeavyOperations() {
        #expect(strategy({ $0.resourceHeavyOperations = ["render"] }, opType: "render") == .immediate)
        #expect(strategy({ $0.resourceHeavyOperations = ["render"] }, opType: "other") == .lazy)
    }

    @Test func deferredForRetriesDebugImportantOperationsAndDebugMode() {
        #expect(strategy(retryCount: 1) == .deferred)
        #expect(strategy({ $0.debugImportantOperations = ["payment"] }, opType: "payment") == .deferred)
        #expect(strategy({ $0.debugMode = true }) == .deferred)
    }

    @Test func lazyOtherwise() {
        #expect(strategy() == .lazy)
    }

    @Test func aPolicyForTheOpTypeOverridesTheGlobalSection() {
        let policies = ["billing": CleanupOverride.with { $0.strategy = CleanupStrategy.none }]
        #expect(strategy(policies: policies, opType: "billing") == StrategyLabel.none)
        #expect(strategy(policies: policies, opType: "other") == .lazy)
        let heavyByPolicy = ["export": CleanupOverride.with { $0.resourceHeavyOperations = ["export"] }]
        #expect(strategy(policies: heavyByPolicy, opType: "export") == .immediate)
    }

    @Test func anOperationsOwnOverrideWinsOverItsPolicy() {
        let policies = ["billing": CleanupOverride.with { $0.strategy = CleanupStrategy.none }]
        let own = CleanupOverride.with {
            $0.strategy = .deferred
            $0.retention = .seconds(5)
        }
        let rig = CleanupRig(policies: policies)
        let z = rig.create("z", opType: "billing", cleanup: own)
        #expect(rig.engine.zombies().first?.strategy == .deferred)
        #expect(rig.engine.zombies().first?.cleanupAt == z.endedAt + .seconds(5))
    }

    /// The plan itself, as a pure function of the zombie, its policy and the engine's state.
    @Test func planOrderPutsTheAdaptiveRulesFirst() {
        let rig = CleanupRig()
        var config = CleanupConfig()
        config.strategy = .none
        let policy = ZombiePolicy(config, opType: "default")
        let calm = AdaptiveInputs(
            aggressiveOnMemoryPressure: true, memoryPressureThreshold: 0.8, forceCleanupThreshold: 100,
            memoryPressure: 0.5, zombieCount: 10)
        #expect(CleanupPlan(rig.zombie(), policy: policy, adaptive: calm) == .none)
        #expect(CleanupPlan(rig.zombie(priority: .critical), policy: policy, adaptive: calm) == .immediate(.immediatePriority))
        var pressed = calm
        pressed.memoryPressure = 0.81
        #expect(CleanupPlan(rig.zombie(), policy: policy, adaptive: pressed) == .immediate(.memoryPressure))
        pressed.aggressiveOnMemoryPressure = false
        #expect(CleanupPlan(rig.zombie(), policy: policy, adaptive: pressed) == .none)
        var crowded = calm
        crowded.zombieCount = 101
        #expect(CleanupPlan(rig.zombie(), policy: policy, adaptive: crowded) == .immediate(.forceThreshold))
        crowded.zombieCount = 100
        #expect(CleanupPlan(rig.zombie(), policy: policy, adaptive: crowded) == .none)
    }
}
