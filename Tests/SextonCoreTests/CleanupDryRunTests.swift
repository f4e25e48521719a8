import Testing
@testable import SextonCore

@Suite struct CleanupDryRunTests {
    @Test func configuredDryRunRemovesNothingNotEvenImmediateAndRunsNoHandler() async {
        let handler = ScriptedHandler()
        let rig = CleanupRig({
            $0.strategy = .immediate
            $0.customHandler = "audit"
            $0.dryRun = true
        }, handlers: ["audit": handler])
        rig.create("a")
        rig.create("b")
        #expect(rig.remover.removed.isEmpty)
        #expect(handler.calls.isEmpty)
        #expect(rig.observer.recorded.dryRunCandidates.map(\.id) == ["a", "b"])
        #expect(rig.engine.snapshot().dryRun)

        let pass = await rig.engine.runPass(trigger: .schedule)
        #expect(pass.dryRun)
        #expect(pass.candidates == 2)
        #expect(pass.cleaned == 0)
        #expect(pass.byStrategy == [.immediate: 2])
        // A requested real pass cannot override the configuration, nor can a purge.
        #expect(await rig.engine.runPass(dryRun: false).cleaned == 0)
        #expect(await rig.engine.runPass(all: true).candidates == 2)
        #expect(rig.remover.removed.isEmpty)
        #expect(handler.calls.isEmpty)
        #expect(rig.engine.snapshot().zombieCount == 2)
        #expect(rig.engine.snapshot().backlog == 2)
        rig.expectIdentity()
    }

    @Test func aDryRunPassReportsWhatAPassWouldRemoveAndRemovesNothing() async {
        let rig = CleanupRig {
            $0.strategy = .deferred
            $0.retention = .seconds(60)
        }
        rig.create("a")
        rig.create("b")
        rig.clock.advance(by: .seconds(30))
        rig.create("young")
        rig.clock.advance(by: .seconds(30))

        let preview = await rig.engine.runPass(dryRun: true)
        #expect(preview.dryRun)
        #expect(preview.candidates == 2)
        #expect(preview.cleaned == 0)
        #expect(rig.observer.recorded.dryRunCandidates.map(\.id) == ["a", "b"])
        #expect(rig.remover.removed.isEmpty)

        let real = await rig.engine.runPass()
        #expect(real.cleaned == 2)
        #expect(rig.remover.removed == ["a", "b"])
        #expect(rig.ids == ["young"])
    }

    @Test func aDryRunPurgeListsEveryZombie() async {
        let rig = CleanupRig { $0.strategy = .none }
        rig.create("a")
        rig.create("b", target: "other")
        let preview = await rig.engine.runPass(dryRun: true, all: true)
        #expect(preview.candidates == 2)
        #expect(preview.byStrategy == [.manual: 2])
        #expect(rig.engine.snapshot().zombieCount == 2)
    }

    @Test func dryRunLazySamplingCountsEachExpiredZombieOnce() async {
        let rig = CleanupRig {
            $0.strategy = .lazy
            $0.maxZombieAge = .seconds(10)
            $0.dryRun = true
        }
        for i in 0..<200 { rig.create("op\(i)", target: "t\(i)") }
        rig.clock.advance(by: .seconds(10))
        let pass = await rig.engine.runPass(trigger: .schedule)
        #expect(pass.candidates == 200)
        #expect(Set(rig.observer.recorded.dryRunCandidates.map(\.id)).count == 200)
        #expect(rig.engine.snapshot().zombieCount == 200)
        // Listings do not remove in a dry run either.
        #expect(rig.engine.zombies(limit: 1000).count == 200)
    }
}
