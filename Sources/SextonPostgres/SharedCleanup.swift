import Logging
import PostgresNIO
import SextonCore
import Synchronization

/// The cleanup engine of CONTRACT §3 over the shared store's zombie queue (§10): every replica
/// runs one, and they share the work. Each zombie's plan was made with the core's
/// `CleanupPlanner` when it was created, so a zombie is due at a time in the store; this
/// replica removes what falls due (swept every half second, and at once when it created a
/// zombie), runs handlers on its own tasks (at most `handlerConcurrency` at a time, never on a
/// request's path), and runs a pass every `check_interval` that applies the adaptive rule.
/// Unlike the memory engine it needs no sampling for lazy zombies: their due time is indexed.
public final class SharedCleanup: ZombieCleanup {
    public let planning: ZombiePlanning
    private let queue: SharedZombieQueue
    private let client: PostgresClient
    private let handlers: [String: any CleanupHandler]
    private let memory: any MemoryPressureSource
    private let observer: any CleanupObserver
    /// Times this cleanup's round trips (`operation="cleanup"`).
    private let storeObserver: (any StoreObserver)?
    private let clock: any SextonClock
    private let deadline: Duration
    private let handlerConcurrency: Int
    private let logger: Logger
    private let alarm = Alarm()
    private let state = Mutex(State())

    /// How often this replica looks for zombies that fell due.
    public static let sweepInterval: Duration = .milliseconds(500)
    /// Zombies one statement takes.
    static let pageSize = 1000

    private struct State {
        var created = 0
        var cleaned = 0
        var triggers: [AdaptiveTrigger: Int] = [:]
        var failedHandlers: Set<String> = []
        var lastFailureAt: Timestamp?
        var lastPass: CleanupPassResult?
        var worker = CleanupWorkerState()
        var handlersRunning = 0
        var counts: StoreCounts?
    }

    /// `claimTimeout` bounds how long a claimed zombie waits for this replica's handler before
    /// another replica may claim it: longer than any handler may take.
    public init(
        client: PostgresClient, schema: StoreSchema, replica: String, planning: ZombiePlanning,
        handlers: [String: any CleanupHandler], memory: any MemoryPressureSource, observer: any CleanupObserver,
        clock: any SextonClock, claimTimeout: Duration, deadline: Duration, logger: Logger,
        storeObserver: (any StoreObserver)? = nil, handlerConcurrency: Int = CleanupTuning.defaultHandlerConcurrency
    ) {
        self.client = client
        self.planning = planning
        queue = SharedZombieQueue(schema: schema, replica: replica, claimTimeout: claimTimeout, clock: clock)
        self.handlers = handlers
        self.memory = memory
        self.observer = observer
        self.storeObserver = storeObserver
        self.clock = clock
        self.deadline = deadline
        self.handlerConcurrency = handlerConcurrency
        self.logger = logger
        planning.update(memoryPressure: memory.sample())
    }

    private var config: CleanupConfig { planning.planner.config }

    /// This replica created a zombie: it may be due now (immediate, custom).
    public func zombieCreated() {
        state.withLock { $0.created += 1 }
        alarm.ring(at: clock.now())
    }

    /// The store-wide counts as last refreshed: the zombie count the adaptive rule reads.
    public func observe(_ counts: StoreCounts) {
        state.withLock { $0.counts = counts }
        planning.update(zombieCount: counts.zombieCount)
    }

    /// Removes the expired lazy zombies a query meets (CONTRACT §3.1 `lazy`) before it lists
    /// them; those with a handler to run are left to the sweep, which this wakes.
    public func visit(target: String?, targetType: String?) async throws {
        guard !config.dryRun else { return }
        var tally = CleanupPassResult(trigger: .manual, dryRun: false, all: false, finishedAt: clock.now())
        try await removeAll(.due(target: target, targetType: targetType, strategy: .lazy), label: nil, into: &tally)
        alarm.ring(at: clock.now())
    }

    // MARK: ZombieCleanup

    public func markStarted() {
        let started = clock.now()
        state.withLock { s in
            s.worker.running = true
            s.worker.startedAt = started
            s.worker.nextRunAt = started + config.checkInterval
        }
    }

    public func run() async {
        if !state.withLock({ $0.worker.running }) { markStarted() }
        while !Task.isCancelled {
            let now = clock.now()
            let nextPass = state.withLock { $0.worker.nextRunAt } ?? now
            if now >= nextPass {
                _ = await runPass(trigger: .schedule, dryRun: false, all: false)
                let finished = clock.now()
                state.withLock { s in
                    s.worker.lastPassFinishedAt = finished
                    s.worker.passes += 1
                    s.worker.nextRunAt = finished + config.checkInterval
                }
            } else if !config.dryRun {
                do {
                    var tally = CleanupPassResult(trigger: .schedule, dryRun: false, all: false, finishedAt: now)
                    try await removeAll(.due(target: nil, targetType: nil, strategy: nil), label: nil, into: &tally)
                    try await startHandlers()
                } catch {
                    logger.debug("cleanup sweep failed", metadata: ["error": "\(error)"])
                }
            }
            let next = state.withLock { $0.worker.nextRunAt } ?? now + config.checkInterval
            await alarm.sleep(until: min(next, clock.now() + Self.sweepInterval), clock: clock)
        }
        state.withLock { $0.worker.running = false }
    }

    public func runPass(trigger: PassTrigger, dryRun requested: Bool, all: Bool) async -> CleanupPassResult {
        let started = clock.now()
        let dryRun = config.dryRun || requested
        let pressure = memory.sample()
        planning.update(memoryPressure: pressure)
        var tally = CleanupPassResult(trigger: trigger, dryRun: dryRun, all: all, finishedAt: started)
        do {
            let adaptive = all ? nil : planning.planner.adaptiveExcess(memoryPressure: pressure, zombieCount: planning.zombieCount)
            if dryRun {
                try await report(all: all, adaptive: adaptive, into: &tally)
            } else if all {
                try await removeAll(.all, label: .manual, into: &tally)
            } else {
                if let adaptive {
                    _ = try await round { [queue, client, logger] in
                        try await queue.hurry(limit: adaptive.excess, trigger: adaptive.trigger, on: client, logger: logger)
                    }
                }
                try await removeAll(.due(target: nil, targetType: nil, strategy: nil), label: nil, into: &tally)
                if trigger == .manual {
                    try await handleAllDue(into: &tally)
                } else {
                    try await startHandlers()
                }
            }
        } catch {
            logger.warning("cleanup pass failed", metadata: ["error": "\(PostgresOperationStore.sextonError(error).message)"])
        }
        let finished = clock.now()
        tally.duration = finished - started
        tally.finishedAt = finished
        state.withLock { $0.lastPass = tally }
        observer.passFinished(tally)
        return tally
    }

    public func snapshot() -> CleanupSnapshot {
        state.withLock { s in
            CleanupSnapshot(
                zombieCount: s.counts?.zombieCount ?? 0, zombiesByTargetType: s.counts?.zombiesByTargetType ?? [:],
                oldestZombieEndedAt: s.counts?.oldestZombieAge.map { clock.now() - $0 }, oldestZombieAge: s.counts?.oldestZombieAge,
                backlog: s.counts?.cleanupBacklog ?? 0, zombiesCreated: s.created, zombiesCleaned: s.cleaned,
                triggers: s.triggers, failedHandlers: s.failedHandlers.sorted(), lastFailureAt: s.lastFailureAt,
                worker: s.worker, memoryPressure: planning.memoryPressure, dryRun: config.dryRun, config: config,
                policies: planning.planner.policies, lastPass: s.lastPass)
        }
    }

    // MARK: -

    private func round<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await timedRound(.cleanup, deadline: deadline, observer: storeObserver, body)
    }

    /// Removes every zombie of `selection`, a page at a time, counting each under `label` (nil:
    /// its own strategy).
    private func removeAll(_ selection: SharedZombieQueue.Selection, label: StrategyLabel?, into tally: inout CleanupPassResult) async throws {
        while true {
            let started = clock.now()
            let page = try await round { [queue, client, logger] in
                try await queue.remove(selection, limit: Self.pageSize, on: client, logger: logger)
            }
            removed(page, label: label, latency: clock.now() - started, into: &tally)
            if page.count < Self.pageSize { return }
        }
    }

    private func removed(_ rows: [ZombieRow], label: StrategyLabel?, latency: Duration, into tally: inout CleanupPassResult) {
        guard !rows.isEmpty else { return }
        let now = clock.now()
        state.withLock { s in
            s.cleaned += rows.count
            for row in rows { if let trigger = row.trigger { s.triggers[trigger, default: 0] += 1 } }
        }
        tally.candidates += rows.count
        tally.cleaned += rows.count
        for row in rows {
            let strategy = label ?? row.strategy
            tally.byStrategy[strategy, default: 0] += 1
            if let trigger = row.trigger, label == nil { observer.cleanupTriggered(trigger) }
            observer.zombieCleaned(row.zombie, strategy: strategy, latency: latency, ageAtCleanup: now - row.zombie.endedAt)
        }
    }

    /// A dry run: what a pass would remove, reported, nothing changed.
    private func report(all: Bool, adaptive: (trigger: AdaptiveTrigger, excess: Int)?, into tally: inout CleanupPassResult) async throws {
        var after: String?
        while true {
            let page = try await round { [queue, client, logger, after] in
                try await queue.candidates(all: all, after: after, limit: Self.pageSize, on: client, logger: logger)
            }
            for row in page { reportCandidate(row.zombie, all ? .manual : row.strategy, into: &tally) }
            guard page.count == Self.pageSize else { break }
            after = page.last?.zombie.operationID
        }
        if let adaptive {
            let hurried = try await round { [queue, client, logger] in
                try await queue.oldestNotDue(limit: adaptive.excess, on: client, logger: logger)
            }
            for row in hurried { reportCandidate(row.zombie, .immediate, into: &tally) }
        }
    }

    private func reportCandidate(_ zombie: Zombie, _ strategy: StrategyLabel, into tally: inout CleanupPassResult) {
        observer.dryRunCandidate(zombie, strategy: strategy)
        tally.candidates += 1
        tally.byStrategy[strategy, default: 0] += 1
    }

    /// Claims due zombies with a handler to run, as many as this replica has handler slots
    /// free, and runs each on a task of its own.
    private func startHandlers() async throws {
        let free = state.withLock { handlerConcurrency - $0.handlersRunning }
        guard free > 0 else { return }
        let (token, claimed) = try await round { [queue, client, logger] in
            try await queue.claimForHandlers(limit: free, on: client, logger: logger)
        }
        state.withLock { $0.handlersRunning += claimed.count }
        for row in claimed {
            Task {
                var tally = CleanupPassResult(trigger: .schedule, dryRun: false, all: false, finishedAt: clock.now())
                await handle(row, token: token, into: &tally)
                state.withLock { $0.handlersRunning -= 1 }
                alarm.ring(at: clock.now())
            }
        }
    }

    /// A manual pass: every due zombie with a handler, claimed and handled before it answers.
    private func handleAllDue(into tally: inout CleanupPassResult) async throws {
        while true {
            let (token, claimed) = try await round { [queue, client, logger, handlerConcurrency] in
                try await queue.claimForHandlers(limit: handlerConcurrency, on: client, logger: logger)
            }
            guard !claimed.isEmpty else { return }
            let results = await withTaskGroup(of: CleanupPassResult.self) { group in
                for row in claimed {
                    group.addTask {
                        var one = CleanupPassResult(trigger: .manual, dryRun: false, all: false, finishedAt: self.clock.now())
                        await self.handle(row, token: token, into: &one)
                        return one
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            for one in results {
                tally.candidates += one.candidates
                tally.cleaned += one.cleaned
                tally.failed += one.failed
                tally.byStrategy.merge(one.byStrategy, uniquingKeysWith: +)
            }
        }
    }

    /// Runs a claimed zombie's handler, then removes it, or hands it back for its retention
    /// (`custom`) or its next attempt. An outcome the store does not take (it failed, or the
    /// claim ran out and another replica holds it) is not recorded: the claim runs out and the
    /// handler runs again, as it would had this replica died.
    private func handle(_ row: ZombieRow, token: String, into tally: inout CleanupPassResult) async {
        guard let name = row.handler else { return }
        let start = clock.now()
        let id = row.zombie.operationID
        do {
            do {
                guard let handler = handlers[name] else { throw CleanupHandlerNotFound(name: name) }
                try await handler.handle(CleanupRecord(
                    zombie: row.zombie, strategy: row.strategy, admittedAt: row.admittedAt, endedAt: row.endedAt,
                    cleanedAt: clock.wallNow()))
                state.withLock { _ = $0.failedHandlers.remove(name) }
                if row.strategy == .custom, handler.retention > .zero {
                    _ = try await round { [queue, client, logger] in
                        try await queue.release(id, token: token, dueIn: handler.retention, failedAttempts: 0, handlerDone: true, on: client, logger: logger)
                    }
                    return
                }
            } catch let error where !(error is StoreDeadlineExceeded) {
                try await failed(row, handler: name, error: error, token: token, into: &tally)
                return
            }
            let gone = try await round { [queue, client, logger] in
                try await queue.remove(.claimed([id], token: token), limit: 1, on: client, logger: logger)
            }
            removed(gone, label: nil, latency: clock.now() - start, into: &tally)
        } catch {
            logger.warning("could not record a cleanup outcome; the claim runs out and the zombie is handled again", metadata: [
                "operation": "\(id)", "error": "\(PostgresOperationStore.sextonError(error).message)",
            ])
        }
    }

    private func failed(_ row: ZombieRow, handler name: String, error: any Error, token: String, into tally: inout CleanupPassResult) async throws {
        let retry = planning.planner.plan(row.zombie, memoryPressure: nil, zombieCount: 0).retry
        let attempts = row.failedAttempts + 1
        let exhausted = attempts >= retry.maxAttempts
        let now = clock.now()
        state.withLock { s in
            s.lastFailureAt = now
            if exhausted { s.failedHandlers.insert(name) }
        }
        tally.candidates += 1
        tally.failed += 1
        observer.cleanupFailed(row.zombie, strategy: row.strategy, handler: name, error: error, exhausted: exhausted)
        // Past its retries it is still tried, at the longest backoff step: it must not be lost.
        let delay = retry.delay(afterFailures: min(attempts, retry.maxAttempts))
        _ = try await round { [queue, client, logger] in
            try await queue.release(row.zombie.operationID, token: token, dueIn: delay, failedAttempts: attempts, handlerDone: false, on: client, logger: logger)
        }
    }
}
