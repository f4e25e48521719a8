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

/// Runs a pass every `check_interval` on its own thread. The schedule is kept on the engine's
/// clock and `tick()` does one step of it, so tests drive it with a manual clock and no thread.
final class CleanupWorker: Sendable {
    let state = Mutex(CleanupWorkerState())
    private let thread = Mutex<(WorkerThread, WakeSignal)?>(nil)

    /// Runs a scheduled pass if one is due; returns when the next one is.
    func tick(_ engine: CleanupEngine) -> Timestamp {
        let now = engine.clock.now()
        if let next = state.withLock({ $0.nextRunAt }), now < next { return next }
        engine.runPass(trigger: .schedule)
        let finished = engine.clock.now()
        return state.withLock { s in
            s.lastPassFinishedAt = finished
            s.passes += 1
            let next = finished + engine.config.checkInterval
            s.nextRunAt = next
            return next
        }
    }

    func markStarted(at now: Timestamp, interval: Duration) {
        state.withLock { s in
            s.running = true
            s.startedAt = now
            s.nextRunAt = now + interval
        }
    }

    func start(_ engine: CleanupEngine) {
        thread.withLock { current in
            guard current == nil else { return }
            markStarted(at: engine.clock.now(), interval: engine.config.checkInterval)
            let signal = WakeSignal()
            let worker = WorkerThread { [self] in
                var stopped = false
                while !stopped {
                    let next = tick(engine)
                    stopped = signal.sleep(for: next - engine.clock.now())
                }
                state.withLock { $0.running = false }
            }
            current = (worker, signal)
        }
    }

    func stop() {
        guard let (worker, signal) = thread.withLock({ current in defer { current = nil }; return current }) else { return }
        signal.stop()
        worker.join()
    }
}

extension CleanupEngine {
    /// Starts the background worker (idempotent); its first pass comes one `check_interval` on.
    public func start() { worker.start(self) }

    /// Stops the worker and waits for a pass in progress to finish.
    public func stop() { worker.stop() }

    public var workerState: CleanupWorkerState { worker.state.withLock { $0 } }
}
