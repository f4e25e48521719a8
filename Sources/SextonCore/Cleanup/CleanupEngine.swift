import Synchronization

/// The cleanup engine of CONTRACT §3: it owns every zombie the coordinator hands it, decides
/// each one's effective strategy, removes them through the registry's `ZombieRemover`, and
/// answers the zombie queries, counts and health figures.
///
/// Locking: one lock over the zombie indexes, held only for bounded slices (`sliceSize`
/// zombies); handlers, the remover and the observer are always called outside it. Handlers run
/// only on the engine's own workers (`run()`) or in a manual pass, never on the caller's path.
public final class CleanupEngine: ZombieSink, Sendable {
    public let config: CleanupConfig
    public let policies: [String: CleanupOverride]
    let tuning: CleanupTuning
    let clock: any SextonClock
    let handlers: [String: any CleanupHandler]
    let memory: any MemoryPressureSource
    let observer: any CleanupObserver
    let planner: CleanupPlanner
    let state: Mutex<EngineState>
    let worker = Mutex(CleanupWorkerState())
    let alarm = Alarm()
    let handlerQueue = HandlerQueue()

    public init(
        config: CleanupConfig,
        policies: [String: CleanupOverride] = [:],
        clock: any SextonClock = SystemClock(),
        handlers: [String: any CleanupHandler] = [:],
        memory: any MemoryPressureSource = NoMemoryPressure(),
        observer: any CleanupObserver = NoCleanupObserver(),
        tuning: CleanupTuning = CleanupTuning()
    ) {
        self.config = config
        self.policies = policies
        self.clock = clock
        self.handlers = handlers
        self.memory = memory
        self.observer = observer
        self.tuning = tuning
        planner = CleanupPlanner(config: config, policies: policies)
        var initial = EngineState(maxPerTarget: config.maxZombiesPerTarget, seed: tuning.seed)
        initial.memoryPressure = memory.sample()
        state = Mutex(initial)
    }

    /// Connects the registry. The coordinator is built with the engine as its sink, so this
    /// comes after; the engine keeps a weak reference. Without a remover, removing a zombie only
    /// drops the engine's record of it.
    public func attach(remover: any ZombieRemover) {
        state.withLock { $0.remover = remover }
    }

    public var dryRun: Bool { config.dryRun }

    /// The last memory pressure sample (taken at start and by every pass).
    public var memoryPressure: Double? { state.withLock { $0.memoryPressure } }

    func policy(for zombie: Zombie) -> ZombiePolicy { planner.policy(for: zombie) }

    func adaptiveInputs(_ state: borrowing EngineState, zombieCount: Int) -> AdaptiveInputs {
        planner.adaptive(memoryPressure: state.memoryPressure, zombieCount: zombieCount)
    }

    // MARK: ZombieSink

    public func zombieCreated(_ zombie: Zombie) {
        let policy = policy(for: zombie)
        let dryRun = config.dryRun
        let handlerRetention = policy.handler.flatMap { handlers[$0]?.retention } ?? .zero
        let creation = state.withLock { s -> Creation in
            s.created += 1
            let plan = CleanupPlan(zombie, policy: policy, adaptive: adaptiveInputs(s, zombieCount: s.zombieCount + 1))
            if case .immediate(let trigger) = plan, !dryRun, policy.handler == nil {
                // No handler to wait for: remove it without indexing it. Its target does not
                // grow, so the per-target cap has nothing to do.
                if let trigger { s.triggers[trigger, default: 0] += 1 }
                s.removingUnindexed += 1
                return .removeAtOnce(trigger, s.remover)
            }
            var work = CleanupWork()
            let now = clock.now()
            let slot = s.store.insert(zombie, handler: policy.handler, retry: policy.retry, label: plan.label)
            switch plan {
            case .immediate(let trigger):
                if let trigger { s.count(trigger, into: &work) }
                if dryRun { s.store.schedule(slot, at: now) }
                s.take(slot, label: .immediate, pass: reportedAtCreation, dryRun: dryRun, into: &work)
            case .deferred:
                s.store.schedule(slot, at: zombie.endedAt + policy.retention)
            case .lazy:
                s.store.addToPool(slot, expiresAt: zombie.endedAt + policy.maxZombieAge)
            case .custom:
                if dryRun {
                    s.store.schedule(slot, at: now + handlerRetention)
                } else {
                    work.claims.append(s.store.claim(slot, label: .custom, pass: 0, dryRun: false))
                }
            case .none:
                break
            }
            let target = s.store.nodes[Int(slot)].targetID
            if s.store.overCapTargets.contains(target) {
                s.evictOverCap(target, pass: reportedAtCreation, dryRun: dryRun, countTriggers: true, into: &work)
            }
            work.remover = s.remover
            return .work(work, soonestDue: s.store.takeSoonestNewDue())
        }
        switch creation {
        case .removeAtOnce(let trigger, let remover):
            removeAtOnce(zombie, trigger: trigger, remover: remover)
        case .work(let work, let soonestDue):
            if let soonestDue { alarm.ring(at: soonestDue) }
            guard !work.isEmpty else { return }
            var tally = CleanupPassResult(trigger: .manual, dryRun: dryRun, all: false, finishedAt: zombie.endedAt)
            handlerQueue.push(perform(work, into: &tally))
        }
    }

    private enum Creation {
        case removeAtOnce(AdaptiveTrigger?, (any ZombieRemover)?)
        case work(CleanupWork, soonestDue: Timestamp?)
    }

    private func removeAtOnce(_ zombie: Zombie, trigger: AdaptiveTrigger?, remover: (any ZombieRemover)?) {
        if let trigger { observer.cleanupTriggered(trigger) }
        let start = clock.now()
        _ = remover?.removeZombie(zombie.entity, operationID: zombie.operationID)
        let end = clock.now()
        state.withLock { s in
            s.removingUnindexed -= 1
            s.cleaned += 1
        }
        observer.zombieCleaned(zombie, strategy: .immediate, latency: end - start, ageAtCleanup: end - zombie.endedAt)
    }

    // MARK: Queries

    /// Removes the target's lazy zombies older than their `max_zombie_age`: the sidecar calls
    /// it when a query meets the target. Returns how many were removed.
    @discardableResult
    public func visit(target: String) -> Int {
        zombies(target: target, targetType: nil, limit: 0).removed
    }

    /// The zombies held, oldest first, filtered by target and target type. Lazy zombies past
    /// their age that the walk meets are removed rather than listed (CONTRACT §3.1 `lazy`).
    public func zombies(target: String? = nil, targetType: String? = nil, limit: Int = 100) -> [TrackedZombie] {
        zombies(target: target, targetType: targetType, limit: limit).listed
    }

    public func zombieCount(target: String) -> Int {
        state.withLock { $0.store.byTarget.count(of: target) }
    }

    /// `limit` 0 lists nothing but still removes the expired lazy zombies of a target.
    private func zombies(target: String?, targetType: String?, limit: Int) -> (listed: [TrackedZombie], removed: Int) {
        let dryRun = config.dryRun
        let (listed, work) = state.withLock { s -> ([TrackedZombie], CleanupWork) in
            var listed: [TrackedZombie] = []
            var work = CleanupWork()
            let now = clock.now().nanoseconds
            var slot: Int32
            let next: [Int32]
            if let target {
                slot = s.store.byTarget.id(of: target).map { s.store.byTarget.lists[Int($0)].head } ?? -1
                next = s.store.byTarget.links.next
            } else if let targetType {
                slot = s.store.byType.id(of: targetType).map { s.store.byType.lists[Int($0)].head } ?? -1
                next = s.store.byType.links.next
            } else {
                slot = s.store.all.head
                next = s.store.allLinks.next
            }
            while slot >= 0 {
                let node = s.store.nodes[Int(slot)]
                let current = slot
                slot = next[Int(current)]
                if let targetType, s.store.record(current).zombie.targetType != targetType { continue }
                let expiredLazy = s.store.pool.contains(current) && node.dueAt <= now
                if expiredLazy && !dryRun && !node.inFlight && work.claims.count < tuning.sliceSize {
                    work.claims.append(s.store.claim(current, label: .lazy, pass: 0, dryRun: false))
                } else if listed.count < limit {
                    listed.append(s.store.tracked(current))
                } else if target == nil {
                    break
                }
            }
            work.remover = s.remover
            return (listed, work)
        }
        var tally = CleanupPassResult(trigger: .manual, dryRun: dryRun, all: false, finishedAt: clock.now())
        if !work.isEmpty { handlerQueue.push(perform(work, into: &tally)) }
        return (listed, tally.cleaned)
    }
}
