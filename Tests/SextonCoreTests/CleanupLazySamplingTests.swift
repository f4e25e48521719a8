import Testing
@testable import SextonCore

@Suite struct CleanupLazySamplingTests {
    private func lazyRig(_ tuning: CleanupTuning = CleanupTuning(seed: 7)) -> CleanupRig {
        CleanupRig({
            $0.strategy = .lazy
            $0.maxZombieAge = .seconds(100)
            $0.maxZombiesPerTarget = 10_000
            $0.forceCleanupThreshold = 100_000
        }, tuning: tuning)
    }

    @Test func whenEverythingExpiredTheWorkerPassKeepsGoingUntilAllAreRemoved() async {
        let rig = lazyRig()
        for i in 0..<1000 { rig.create("op\(i)") }
        rig.clock.advance(by: .seconds(100))
        let pass = await rig.engine.runPass(trigger: .schedule)
        #expect(pass.cleaned == 1000)
        #expect(pass.byStrategy == [.lazy: 1000])
        #expect(rig.engine.snapshot().backlog == 0)
    }

    @Test func whenNothingExpiredTheWorkerPassStopsAfterOneSample() async {
        let rig = lazyRig()
        for i in 0..<1000 { rig.create("op\(i)") }
        let pass = await rig.engine.runPass(trigger: .schedule)
        #expect(pass.candidates == 0)
        #expect(rig.engine.snapshot().zombieCount == 1000)
    }

    /// With a tenth expired the sample rarely shows more than a quarter expired, so the worker
    /// stops early and estimates what it left; a manual pass checks every lazy zombie.
    @Test func aLowExpiredShareStopsTheWorkerButNotAManualPass() async {
        let rig = lazyRig()
        for i in 0..<100 { rig.create("old\(i)") }
        rig.clock.advance(by: .seconds(50))
        for i in 0..<900 { rig.create("new\(i)") }
        rig.clock.advance(by: .seconds(50))
        let worker = await rig.engine.runPass(trigger: .schedule)
        #expect(worker.cleaned < 100)
        let manual = await rig.engine.runPass(trigger: .manual)
        #expect(worker.cleaned + manual.cleaned == 100)
        #expect(rig.engine.snapshot().zombieCount == 900)
        #expect(rig.engine.zombies(limit: 1000).allSatisfy { $0.zombie.operationID.hasPrefix("new") })
    }

    @Test func theTimeBudgetBoundsAWorkerPass() async {
        var tuning = CleanupTuning(seed: 7)
        tuning.lazyPassBudget = .zero
        let rig = lazyRig(tuning)
        for i in 0..<1000 { rig.create("op\(i)") }
        rig.clock.advance(by: .seconds(100))
        let pass = await rig.engine.runPass(trigger: .schedule)
        // One round of the sample size, then the (spent) budget ends the pass.
        #expect(pass.cleaned == tuning.lazySampleSize)
        #expect(rig.engine.snapshot().backlog == 1000 - tuning.lazySampleSize)
    }
}
