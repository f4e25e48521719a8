import Testing
@testable import SextonCore

@Suite struct CleanupWorkerTests {
    @Test func theWorkerRunsAPassEveryCheckInterval() {
        let rig = CleanupRig {
            $0.strategy = .deferred
            $0.retention = .seconds(30)
            $0.checkInterval = .seconds(60)
        }
        let worker = rig.engine.worker
        let start = rig.clock.now()
        worker.markStarted(at: start, interval: .seconds(60))
        rig.create("a")
        #expect(worker.tick(rig.engine) == start + .seconds(60))
        #expect(rig.engine.workerState.passes == 0)
        #expect(rig.engine.workerState.lastActivity == start)

        rig.clock.advance(by: .seconds(60))
        let next = worker.tick(rig.engine)
        #expect(next == start + .seconds(120))
        let state = rig.engine.workerState
        #expect(state.passes == 1)
        #expect(state.lastPassFinishedAt == start + .seconds(60))
        #expect(state.nextRunAt == next)
        #expect(rig.remover.removed == ["a"])
        #expect(rig.observer.recorded.passes.map(\.trigger) == [.schedule])
        #expect(rig.engine.snapshot().worker == state)
    }

    @Test func startAndStopTheThread() {
        let rig = CleanupRig()
        #expect(!rig.engine.workerState.running)
        rig.engine.start()
        rig.engine.start()
        #expect(rig.engine.workerState.running)
        #expect(rig.engine.workerState.startedAt == rig.clock.now())
        rig.engine.stop()
        #expect(!rig.engine.workerState.running)
        rig.engine.stop()
    }
}
