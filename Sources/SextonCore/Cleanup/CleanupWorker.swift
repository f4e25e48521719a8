import Synchronization

/// The background worker's state, for `/admin/cleanup/status` and the `cleanup_worker` check.
public struct CleanupWorkerState: Sendable, Equatable {
    public var running = false
    public var startedAt: Timestamp?
    public var lastPassFinishedAt: Timestamp?
    public var nextRunAt: Timestamp?
    public var passes = 0

    public init() {}

    /// When the worker last finished a pass, or started if it has not finished one yet.
    public var lastActivity: Timestamp? { lastPassFinishedAt ?? startedAt }
}

extension CleanupEngine {
    /// The engine's own workers, until the calling task is cancelled: the schedule (a pass every
    /// `check_interval`, and what falls due between passes: retries, retention, handler
    /// retention, at its time) and `handlerConcurrency` handler workers draining the queue.
    /// The sidecar runs this as a service; an embedding application runs it in a task.
    public func run() async {
        if !workerState.running { markStarted() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.runSchedule() }
            for _ in 0..<tuning.handlerConcurrency {
                group.addTask { await self.runHandlerWorker() }
            }
        }
        worker.withLock { $0.running = false }
    }

    public var workerState: CleanupWorkerState { worker.withLock { $0 } }

    /// Marks the worker started now, for a caller about to `run()` it, so health sees no gap
    /// between the listeners opening and the worker's first step. `run()` does it otherwise.
    public func markStarted() {
        let now = clock.now()
        worker.withLock { s in
            s.running = true
            s.startedAt = now
            s.nextRunAt = now + config.checkInterval
        }
    }

    private func runSchedule() async {
        while !Task.isCancelled {
            let next = await tick()
            await alarm.sleep(until: next, clock: clock)
        }
    }

    private func runHandlerWorker() async {
        while let claim = await handlerQueue.next() {
            var tally = CleanupPassResult(trigger: .schedule, dryRun: false, all: false, finishedAt: clock.now())
            await handle([claim], into: &tally)
        }
    }

    /// One step of the schedule: the pass if it is due, else what has fallen due since (not in
    /// a dry run, where only passes report). Returns when the next step is due. Tests call it
    /// with a manual clock instead of `run()`.
    func tick() async -> Timestamp {
        let now = clock.now()
        let nextPass = worker.withLock { $0.nextRunAt } ?? now
        if now >= nextPass {
            await runPass(trigger: .schedule)
            let finished = clock.now()
            worker.withLock { s in
                s.lastPassFinishedAt = finished
                s.passes += 1
                s.nextRunAt = finished + config.checkInterval
            }
        } else if !config.dryRun {
            sweepDue()
        }
        let next = worker.withLock { $0.nextRunAt } ?? now + config.checkInterval
        guard !config.dryRun, let due = state.withLock({ $0.store.nextDue }) else { return next }
        return min(next, due)
    }
}

extension CleanupEngine {
    /// One step of the worker's schedule and the queued handlers, in the calling task: for a
    /// caller that moves the engine's clock itself instead of running `run()`. Returns when the
    /// next step is due.
    public func step() async -> Timestamp {
        let next = await tick()
        await runQueuedHandlers()
        return next
    }

    /// Runs every queued handler claim in the calling task, as the handler workers would.
    func runQueuedHandlers() async {
        var tally = CleanupPassResult(trigger: .schedule, dryRun: false, all: false, finishedAt: clock.now())
        await handle(handlerQueue.takeAll(), into: &tally)
    }
}
