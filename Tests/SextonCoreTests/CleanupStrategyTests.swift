import Testing
@testable import SextonCore

@Suite struct CleanupStrategyTests {
    @Test func immediateRemovesAtCreation() async {
        let rig = CleanupRig { $0.strategy = .immediate }
        rig.create("a")
        #expect(rig.remover.removed == ["a"])
        #expect(rig.engine.snapshot().zombieCount == 0)
        #expect(rig.observer.recorded.cleaned.map(\.strategy) == [.immediate])
        rig.expectIdentity()
    }

    @Test func deferredWaitsForRetentionThenThePassRemovesIt() async {
        let rig = CleanupRig {
            $0.strategy = .deferred
            $0.retention = .seconds(600)
        }
        let z = rig.create("a")
        #expect(rig.engine.zombies().first?.cleanupAt == z.endedAt + .seconds(600))
        rig.clock.advance(by: .seconds(599))
        #expect(await rig.engine.runPass(trigger: .schedule).cleaned == 0)
        #expect(rig.ids == ["a"])
        rig.clock.advance(by: .seconds(1))
        let pass = await rig.engine.runPass(trigger: .schedule)
        #expect(pass.cleaned == 1)
        #expect(pass.byStrategy == [.deferred: 1])
        #expect(rig.remover.removed == ["a"])
        #expect(rig.observer.recorded.cleaned.first?.age == .seconds(600))
        rig.expectIdentity()
    }

    @Test func lazyIsRemovedWhenAVisitMeetsItPastItsAge() async {
        let rig = CleanupRig {
            $0.strategy = .lazy
            $0.maxZombieAge = .seconds(3600)
        }
        rig.create("a", target: "x")
        rig.create("b", target: "y")
        #expect(rig.engine.visit(target: "x") == 0)
        rig.clock.advance(by: .seconds(3600))
        #expect(rig.engine.visit(target: "x") == 1)
        #expect(rig.remover.removed == ["a"])
        // A listing that meets an expired lazy zombie removes it instead of listing it.
        #expect(rig.engine.zombies().isEmpty)
        #expect(rig.remover.removed == ["a", "b"])
        #expect(rig.observer.recorded.cleaned.map(\.strategy) == [.lazy, .lazy])
        rig.expectIdentity()
    }

    @Test func lazyNotYetExpiredIsListedAndKept() async {
        let rig = CleanupRig { $0.strategy = .lazy }
        rig.create("a")
        rig.clock.advance(by: .seconds(60))
        #expect(await rig.engine.runPass(trigger: .schedule).cleaned == 0)
        #expect(await rig.engine.runPass(trigger: .manual).cleaned == 0)
        #expect(rig.ids == ["a"])
    }

    @Test func noneStaysUntilAnOperatorPurges() async {
        let rig = CleanupRig { $0.strategy = .none }
        rig.create("a")
        rig.create("b")
        rig.clock.advance(by: .seconds(30 * 86_400))
        #expect(await rig.engine.runPass(trigger: .schedule).candidates == 0)
        #expect(await rig.engine.runPass(trigger: .manual).candidates == 0)
        #expect(rig.engine.zombies().map(\.strategy) == [StrategyLabel.none, .none])
        let purge = await rig.engine.runPass(trigger: .manual, all: true)
        #expect(purge.cleaned == 2)
        #expect(purge.byStrategy == [.manual: 2])
        #expect(rig.remover.removed == ["a", "b"])
        rig.expectIdentity()
    }

    @Test func customRunsItsHandlerAtCreationAndRemovesOnSuccess() async {
        let handler = ScriptedHandler()
        let rig = CleanupRig({
            $0.strategy = .custom
            $0.customHandler = "archive"
        }, handlers: ["archive": handler])
        await rig.createAndHandle("a")
        #expect(handler.calls == ["a"])
        #expect(rig.remover.removed == ["a"])
        #expect(rig.observer.recorded.cleaned.map(\.strategy) == [.custom])
    }

    @Test func customWaitsOutTheHandlersRetention() async {
        let handler = ScriptedHandler(retention: .seconds(300))
        let rig = CleanupRig({
            $0.strategy = .custom
            $0.customHandler = "archive"
        }, handlers: ["archive": handler])
        await rig.createAndHandle("a")
        #expect(handler.calls == ["a"])
        #expect(rig.remover.removed.isEmpty)
        rig.clock.advance(by: .seconds(299))
        await rig.engine.runPass(trigger: .schedule)
        #expect(rig.remover.removed.isEmpty)
        rig.clock.advance(by: .seconds(1))
        #expect(await rig.engine.runPass(trigger: .schedule).byStrategy == [.custom: 1])
        // The handler ran once: at creation, not again at removal.
        #expect(handler.calls == ["a"])
        #expect(rig.remover.removed == ["a"])
    }

    @Test func aConfiguredHandlerRunsBeforeRemovalUnderAnyStrategy() async {
        let handler = ScriptedHandler()
        let rig = CleanupRig({
            $0.strategy = .deferred
            $0.retention = .seconds(10)
            $0.customHandler = "audit"
        }, handlers: ["audit": handler])
        rig.create("a")
        #expect(handler.calls.isEmpty)
        rig.clock.advance(by: .seconds(10))
        await rig.engine.runPass()
        #expect(handler.calls == ["a"])
        #expect(rig.remover.removed == ["a"])
    }

    /// The reference expectation: 1,000 zombies all cleaned; with immediate, removed from the
    /// registry as each is created; with the other strategies, held until their time comes.
    @Test(arguments: [CleanupStrategy.immediate, .deferred, .lazy, .hybrid, .custom])
    func thousandZombiesAreAllCleaned(strategy: CleanupStrategy) async {
        let handler = ScriptedHandler(retention: .seconds(60))
        let rig = CleanupRig({
            $0.strategy = strategy
            $0.retention = .seconds(60)
            $0.maxZombieAge = .seconds(120)
            $0.customHandler = strategy == .custom ? "h" : nil
        }, handlers: ["h": handler])
        for i in 0..<1000 {
            rig.create("op\(i)", target: "target\(i % 50)", targetType: "type\(i % 3)")
            if strategy == .immediate { #expect(rig.remover.removed.count == i + 1) }
        }
        await rig.engine.runQueuedHandlers()
        if strategy != .immediate {
            #expect(rig.remover.removed.isEmpty)
            #expect(rig.engine.snapshot().zombieCount == 1000)
            #expect(rig.engine.snapshot().zombiesByTargetType == ["type0": 334, "type1": 333, "type2": 333])
            rig.clock.advance(by: .seconds(59))
            await rig.engine.runPass(trigger: .schedule)
            #expect(rig.engine.snapshot().zombieCount == 1000)
            rig.clock.advance(by: .seconds(61))
            await rig.engine.runPass(trigger: .schedule)
        }
        let snapshot = rig.engine.snapshot()
        #expect(snapshot.zombieCount == 0)
        #expect(snapshot.zombiesCleaned == 1000)
        #expect(Set(rig.remover.removed).count == 1000)
        rig.expectIdentity()
    }
}
