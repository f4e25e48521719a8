import Testing
@testable import SextonCore

@Suite struct CleanupHandlerTests {
    private func customRig(_ handler: ScriptedHandler) -> CleanupRig {
        CleanupRig({
            $0.strategy = .custom
            $0.customHandler = "hook"
            $0.retry.maxAttempts = 3
            $0.retry.initialDelay = .seconds(1)
            $0.retry.multiplier = 2
        }, handlers: ["hook": handler])
    }

    @Test func aFailingHandlerIsRetriedWithBackoffAndTheZombieKept() async {
        let handler = ScriptedHandler(failures: 2)
        let rig = customRig(handler)
        let z = rig.create("a")
        // Creation only queues the handler for the engine's workers.
        #expect(handler.calls.isEmpty)
        #expect(rig.engine.snapshot().backlog == 1)
        await rig.engine.runQueuedHandlers()
        #expect(handler.calls == ["a"])
        #expect(rig.remover.removed.isEmpty)
        var snapshot = rig.engine.snapshot()
        #expect(snapshot.zombieCount == 1)
        #expect(snapshot.lastFailureAt == z.endedAt)
        #expect(snapshot.failedHandlers.isEmpty)
        #expect(snapshot.backlog == 1)
        #expect(rig.engine.zombies().first?.failedAttempts == 1)

        // First retry after 1s, not before.
        rig.clock.advance(by: .milliseconds(999))
        await rig.engine.runPass()
        #expect(handler.calls.count == 1)
        rig.clock.advance(by: .milliseconds(1))
        #expect(await rig.engine.runPass().failed == 1)
        #expect(handler.calls.count == 2)

        // Second retry after 2s more; this one succeeds.
        rig.clock.advance(by: .seconds(1))
        await rig.engine.runPass()
        #expect(handler.calls.count == 2)
        rig.clock.advance(by: .seconds(1))
        let pass = await rig.engine.runPass()
        #expect(pass.cleaned == 1)
        #expect(pass.byStrategy == [.custom: 1])
        #expect(rig.remover.removed == ["a"])
        snapshot = rig.engine.snapshot()
        #expect(snapshot.backlog == 0)
        #expect(snapshot.failedHandlers.isEmpty)
        #expect(rig.observer.recorded.failures.map(\.exhausted) == [false, false])
        rig.expectIdentity()
    }

    @Test func exhaustedRetriesMarkTheHandlerFailedUntilItSucceedsAgain() async {
        let handler = ScriptedHandler(failures: 10)
        let rig = customRig(handler)
        await rig.createAndHandle("a")
        rig.clock.advance(by: .seconds(1))
        await rig.engine.runPass()
        rig.clock.advance(by: .seconds(2))
        await rig.engine.runPass()
        #expect(handler.calls.count == 3)
        #expect(rig.engine.snapshot().failedHandlers == ["hook"])
        #expect(rig.observer.recorded.failures.map(\.exhausted) == [false, false, true])

        // Still tracked, still retried, at the last backoff step (4s).
        #expect(rig.engine.snapshot().zombieCount == 1)
        rig.clock.advance(by: .seconds(3))
        await rig.engine.runPass()
        #expect(handler.calls.count == 3)
        handler.failNext(0)
        rig.clock.advance(by: .seconds(1))
        await rig.engine.runPass()
        #expect(handler.calls.count == 4)
        #expect(rig.remover.removed == ["a"])
        #expect(rig.engine.snapshot().failedHandlers.isEmpty)
    }

    @Test func anUnregisteredHandlerFailsLikeAThrowingOne() async {
        let rig = CleanupRig {
            $0.strategy = .immediate
            $0.customHandler = "missing"
            $0.retry.maxAttempts = 1
        }
        await rig.createAndHandle("a")
        #expect(rig.remover.removed.isEmpty)
        #expect(rig.engine.snapshot().failedHandlers == ["missing"])
        #expect(rig.observer.recorded.failures.map(\.handler) == ["missing"])
        #expect(rig.engine.zombies().first?.strategy == .immediate)
    }

    @Test func aHandlerRunsBeforeTheRegistryRemoval() async {
        let handler = ScriptedHandler(failures: 1)
        let rig = CleanupRig({
            $0.strategy = .immediate
            $0.customHandler = "audit"
        }, handlers: ["audit": handler])
        await rig.createAndHandle("a")
        // The handler failed, so the registry still holds the zombie.
        #expect(handler.calls == ["a"])
        #expect(rig.remover.removed.isEmpty)
        rig.clock.advance(by: .seconds(1))
        await rig.engine.runPass()
        #expect(handler.calls == ["a", "a"])
        #expect(rig.remover.removed == ["a"])
        #expect(rig.observer.recorded.cleaned.map(\.strategy) == [.immediate])
    }
}
