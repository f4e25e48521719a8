import Synchronization
import Testing
@testable import SextonCore

@Suite struct CleanupWorkerTests {
    /// A rig whose worker was started now and holds one zombie, "a"; and the start time.
    private func startedWithOneZombie(_ configure: @escaping (inout CleanupConfig) -> Void) -> (CleanupRig, Timestamp) {
        let rig = CleanupRig(configure)
        let start = rig.clock.now()
        rig.engine.markStarted()
        rig.create("a")
        return (rig, start)
    }

    @Test func theWorkerRunsAPassEveryCheckInterval() async {
        let (rig, start) = startedWithOneZombie {
            $0.strategy = .lazy
            $0.maxZombieAge = .seconds(30)
            $0.checkInterval = .seconds(60)
        }
        #expect(await rig.engine.tick() == start + .seconds(60))
        #expect(rig.engine.workerState.passes == 0)
        #expect(rig.engine.workerState.lastActivity == start)

        rig.clock.advance(by: .seconds(60))
        let next = await rig.engine.tick()
        #expect(next == start + .seconds(120))
        let state = rig.engine.workerState
        #expect(state.passes == 1)
        #expect(state.lastPassFinishedAt == start + .seconds(60))
        #expect(state.nextRunAt == next)
        #expect(rig.remover.removed == ["a"])
        #expect(rig.observer.recorded.passes.map(\.trigger) == [.schedule])
        #expect(rig.engine.snapshot().worker == state)
    }

    @Test func whatFallsDueBetweenPassesIsTakenAtItsTime() async {
        let (rig, start) = startedWithOneZombie {
            $0.strategy = .deferred
            $0.retention = .seconds(30)
            $0.checkInterval = .seconds(600)
        }
        // The schedule wakes for the retention, not for the pass ten minutes away.
        #expect(await rig.engine.tick() == start + .seconds(30))
        rig.clock.advance(by: .seconds(29))
        _ = await rig.engine.tick()
        #expect(rig.remover.removed.isEmpty)
        rig.clock.advance(by: .seconds(1))
        #expect(await rig.engine.tick() == start + .seconds(600))
        #expect(rig.remover.removed == ["a"])
        #expect(rig.engine.workerState.passes == 0)
        rig.expectIdentity()
    }

    @Test func aDryRunWakesOnlyForPasses() async {
        let (rig, start) = startedWithOneZombie {
            $0.strategy = .immediate
            $0.dryRun = true
            $0.checkInterval = .seconds(60)
        }
        #expect(await rig.engine.tick() == start + .seconds(60))
        #expect(rig.remover.removed.isEmpty)
    }

    @Test func retriesAreTimedFromTheFailureNotFromThePass() async {
        let handler = ScriptedHandler(failures: 2)
        let rig = CleanupRig({
            $0.strategy = .custom
            $0.customHandler = "hook"
            $0.checkInterval = .seconds(600)
            $0.retry.initialDelay = .seconds(1)
            $0.retry.multiplier = 2
        }, handlers: ["hook": handler])
        let start = rig.clock.now()
        rig.engine.markStarted()
        await rig.createAndHandle("a")
        #expect(handler.calls == ["a"])
        #expect(await rig.engine.tick() == start + .seconds(1))
        rig.clock.advance(by: .seconds(1))
        #expect(await rig.engine.tick() == start + .seconds(600))
        await rig.engine.runQueuedHandlers()
        #expect(handler.calls == ["a", "a"])
        #expect(await rig.engine.tick() == start + .seconds(3))
        rig.clock.advance(by: .seconds(2))
        _ = await rig.engine.tick()
        await rig.engine.runQueuedHandlers()
        #expect(handler.calls == ["a", "a", "a"])
        #expect(rig.remover.removed == ["a"])
        rig.expectIdentity()
    }

    @Test func runMarksTheWorkerRunningUntilCancelled() async {
        let rig = CleanupRig()
        #expect(!rig.engine.workerState.running)
        let running = Task { await rig.engine.run() }
        while !rig.engine.workerState.running { await Task.yield() }
        #expect(rig.engine.workerState.startedAt == rig.clock.now())
        running.cancel()
        await running.value
        #expect(!rig.engine.workerState.running)
    }

    /// On the real clock: the handler workers take a zombie off the creating path, and a failure's
    /// retry wakes the schedule long before the next pass.
    @Test func theWorkersRunHandlersAndWakeForRetries() async {
        let handler = ScriptedHandler(failures: 1)
        var config = CleanupConfig()
        config.strategy = .custom
        config.customHandler = "hook"
        config.checkInterval = .seconds(3600)
        config.retry.initialDelay = .milliseconds(100)
        let remover = RecordingRemover()
        let engine = CleanupEngine(config: config, clock: SystemClock(), handlers: ["hook": handler])
        engine.attach(remover: remover)
        let running = Task { await engine.run() }
        let now = SystemClock().now()
        engine.zombieCreated(Zombie(
            operationID: "a", entity: EntityID(index: 1, generation: 1), target: "t", targetType: "default",
            opType: "default", priority: .normal, retryCount: 0, status: .failed, reason: .failed,
            admittedAt: now, endedAt: now, cleanup: nil))
        let deadline = ContinuousClock.now + .seconds(30)
        while remover.removed.isEmpty && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        #expect(handler.calls == ["a", "a"])
        #expect(remover.removed == ["a"])
        running.cancel()
        await running.value
    }
}
