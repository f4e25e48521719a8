import Synchronization

/// Pre-registry conflict resolution and the operation lifecycle of CONTRACT §2.
///
/// Targets are spread over shards, each behind its own mutex; ids are found through a sharded
/// index. No lock covers the whole coordinator. Callbacks (decisions, the zombie sink, the
/// scheduler) always run after the locks are released.
public final class Coordinator: ZombieRemover, Sendable {
    public let config: CoordinatorConfig
    let clock: any SextonClock
    private let scheduler: any StagingScheduler
    private let zombies: any ZombieSink
    let shared: CoordinatorShared
    private let shards: [ShardBox]
    private let shardBits: Int
    private let maintenanceCursor = Atomic<Int>(0)
    let historyEvictions = Atomic<Int>(0)
    let targetsEvicted = Atomic<Int>(0)

    final class ShardBox: Sendable {
        let state: Mutex<CoordinatorShard>
        init(_ shard: sending CoordinatorShard) { state = Mutex(shard) }
    }

    public init(
        config: CoordinatorConfig, clock: any SextonClock, scheduler: any StagingScheduler, zombies: any ZombieSink,
        observer: any CoordinatorObserver = NoCoordinatorObserver(), shardBits: Int = 5
    ) {
        self.config = config
        self.clock = clock
        self.scheduler = scheduler
        self.zombies = zombies
        self.shardBits = shardBits
        let shared = CoordinatorShared(
            ids: IdIndex(shardBits: shardBits),
            history: HistoryQueue(retention: config.historyRetention, capacity: config.maxHistory),
            idleTargets: IdleTargets(capacity: config.maxTargets), observer: observer)
        self.shared = shared
        let timings = CoordinatorTimings(config)
        shards = (0..<(1 << shardBits)).map { number in
            ShardBox(CoordinatorShard(number: UInt32(number), shardBits: shardBits, timings: timings, shared: shared))
        }
    }

    private func shard(forTarget target: String) -> ShardBox { shards[ShardHash.of(target, bits: shardBits)] }

    /// The longest `error` a completion may carry: ended operations are kept (up to `max_history`
    /// of them), so an unbounded message would unbound the memory they take.
    public static let maxErrorLength = 4096

    /// Applies `transition` to the operation `id` (`conflict` from the wrong state, with the
    /// operation's status and reason), or throws `not_found`.
    public func apply(_ transition: Transition, to id: String) throws(SextonError) {
        if case .complete(_, let error?) = transition, error.unicodeScalars.count > Self.maxErrorLength {
            throw SextonError(.invalidArgument, "error must be at most \(Self.maxErrorLength) characters, not \(error.unicodeScalars.count)", field: "error")
        }
        guard let ref = shared.ids.lookup(StoredID(id)) else { throw SextonError(.notFound, "no operation \(id)") }
        let now = clock.now().nanoseconds
        var effects = ShardEffects()
        let result = shards[Int(ref.shard)].state.withLock { shard in
            Result { () throws(SextonError) in
                try shard.apply(transition, to: ref.handle, id: id, now: now, effects: &effects)
            }
        }
        deliver(effects)
        try result.get()
    }

    func deliver(_ effects: ShardEffects) {
        if shared.history.isOverCapacity { forgetHistory(now: clock.now().nanoseconds, budget: 64) }
        if shared.idleTargets.isOverCapacity { evictIdleTargets(budget: 64) }
        for zombie in effects.zombies { zombies.zombieCreated(zombie) }
        for (decision, completion) in effects.decisions { completion(decision) }
        if let window = effects.window {
            let box = shard(forTarget: window.target)
            scheduler.schedule(at: Timestamp(nanoseconds: window.deadline)) { [weak self] in
                guard let self else { return }
                let now = clock.now().nanoseconds
                var effects = ShardEffects()
                box.state.withLock { $0.resolveWindow(firstMember: window.firstMember, now: now, effects: &effects) }
                deliver(effects)
            }
        }
    }

    // MARK: submission

    /// Validates, checks the id and the limits, then resolves (staging_window 0: before this
    /// returns) or stages. `completion` gets the decision once the batch resolves, outside locks.
    public func submit(
        _ request: OperationRequest, completion: @escaping @Sendable (Decision) -> Void
    ) throws(SextonError) {
        var submission = try prepare(request)
        let box = shard(forTarget: request.target)
        var outcome = try submit(submission, to: box, completion: completion)
        if case .needsReservation = outcome {
            try reserve(submission.id)
            submission.reserved = true
            outcome = try submit(submission, to: box, completion: completion)
        }
        if case .decided(let decision) = outcome { completion(decision) }
    }

    private func submit(
        _ submission: PreparedSubmission, to box: ShardBox, completion: @escaping @Sendable (Decision) -> Void
    ) throws(SextonError) -> CoordinatorShard.SubmitOutcome {
        let now = clock.now().nanoseconds
        var effects = ShardEffects()
        let result = box.state.withLock { shard in
            Result { () throws(SextonError) in
                try shard.submit(submission, now: now, completion: completion, effects: &effects)
            }
        }
        if case .failure = result, submission.reserved { shared.ids.release(submission.id) }
        deliver(effects)
        return try result.get()
    }

    /// `submit` that waits for the decision.
    public func submit(_ request: OperationRequest) async throws(SextonError) -> Decision {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Decision, SextonError>, Never>) in
            let submitted = Result { () throws(SextonError) in
                try submit(request) { continuation.resume(returning: .success($0)) }
            }
            if case .failure(let error) = submitted { continuation.resume(returning: .failure(error)) }
        }
        return try result.get()
    }

    /// Resolves `requests` as one batch per target (CONTRACT §2.3: a batch request is a batch by
    /// itself), results in request order. A request that fails validation, its id check or a
    /// staging limit gets its error and does not join the batch.
    public func submitBatch(_ requests: [OperationRequest]) -> [Result<Decision, SextonError>] {
        var results = [Result<Decision, SextonError>?](repeating: nil, count: requests.count)
        var groups: [String: [(position: Int, submission: PreparedSubmission)]] = [:]
        var order: [String] = []
        for (position, request) in requests.enumerated() {
            do {
                var submission = try prepare(request)
                try reserve(submission.id)
                submission.reserved = true
                if groups[request.target] == nil { order.append(request.target) }
                groups[request.target, default: []].append((position, submission))
            } catch {
                results[position] = .failure(error)
            }
        }
        let now = clock.now().nanoseconds
        var effects = ShardEffects()
        for target in order {
            let group = groups[target]!
            let outcomes = shard(forTarget: target).state.withLock { $0.submitBatch(group, now: now, effects: &effects) }
            for (position, result) in outcomes {
                if case .failure = result, let refused = group.first(where: { $0.position == position }) {
                    shared.ids.release(refused.submission.id)
                }
                results[position] = result
            }
        }
        deliver(effects)
        return results.map { $0! }
    }

    /// Validates, inherits the parent's priority and names the operation; the id is checked
    /// later, by `reserve` or by the shard's claim.
    private func prepare(_ request: OperationRequest) throws(SextonError) -> PreparedSubmission {
        try request.validate()
        var priority = request.priority
        if let parent = request.parent, let inherited = effectivePriority(of: parent) {
            priority = max(priority, inherited)
        }
        return PreparedSubmission(request: request, id: request.id.map(StoredID.init) ?? .generate(), effectivePriority: priority)
    }

    private func reserve(_ id: StoredID) throws(SextonError) {
        try shared.ids.reserve(id) { ref in
            shards[Int(ref.shard)].state.withLock { shard in
                shard.ops.slot(of: ref.handle).map { !shard.ops[$0].status.isEnded } ?? false
            }
        }
    }

    private func effectivePriority(of id: String) -> Priority? {
        guard let ref = shared.ids.lookup(StoredID(id)) else { return nil }
        return shards[Int(ref.shard)].state.withLock { shard in
            shard.ops.slot(of: ref.handle).map { shard.ops[$0].effectivePriority }
        }
    }

    // MARK: lifecycle

    /// admitted → executing. `conflict` (with the operation's status and reason) otherwise,
    /// e.g. after preemption or lease expiry; `not_found` for an unknown id.
    public func start(_ id: String) throws(SextonError) { try apply(.start, to: id) }

    /// Renews the lease of an executing operation.
    public func heartbeat(_ id: String) throws(SextonError) { try apply(.heartbeat, to: id) }

    /// executing → succeeded (the target's version increments) or failed (a zombie).
    /// `outcome` must be `.succeeded` or `.failed`.
    public func complete(_ id: String, outcome: CompletionOutcome, error: String? = nil) throws(SextonError) {
        guard outcome == .succeeded || outcome == .failed else {
            throw SextonError(.invalidArgument, "outcome must be succeeded or failed", field: "outcome")
        }
        try apply(.complete(succeeded: outcome == .succeeded, error: error), to: id)
    }

    /// Cancels an admitted or executing operation (its entity leaves the registry at once).
    /// A staged operation cannot be cancelled (`conflict`, status `staged`): it is decided within
    /// the staging window, and its decision can then be cancelled.
    public func cancel(_ id: String) throws(SextonError) { try apply(.cancel, to: id) }

    // MARK: zombies

    /// O(1): one shard lock, found from the entity's tag.
    public func removeZombie(_ entity: EntityID, operationID: String) -> Bool {
        let number = Int(EntityRegistry.tag(of: entity, tagBits: shardBits))
        let now = clock.now().nanoseconds
        let id = StoredID(operationID)
        return shards[number].state.withLock { $0.removeZombie(entity, operationID: id, now: now) }
    }

    // MARK: queries

    public func operation(_ id: String) -> OperationView? {
        guard let ref = shared.ids.lookup(StoredID(id)) else { return nil }
        return shards[Int(ref.shard)].state.withLock { shard in shard.ops.slot(of: ref.handle).map { shard.view($0) } }
    }

    public func target(_ name: String) -> TargetView {
        shard(forTarget: name).state.withLock { shard in
            guard let (slot, target) = shard.targets.find(name) else {
                return TargetView(target: name, version: 0, active: nil, staged: 0)
            }
            return TargetView(
                target: name, version: target.version, active: target.activeSlot.map { shard.view($0) },
                staged: shard.windows[slot]?.count ?? 0)
        }
    }

    /// Sums the shards' counters (one short lock each).
    public func snapshot() -> CoordinatorSnapshot {
        var snapshot = CoordinatorSnapshot()
        var byStatus = [Int](repeating: 0, count: OperationStatus.allCases.count)
        for box in shards {
            box.state.withLock { shard in
                shard.counters.add(to: &snapshot, byStatus: &byStatus)
                snapshot.registryEntities += shard.entities.count
            }
        }
        snapshot.setStatusCounts(byStatus)
        snapshot.historyEvictions = historyEvictions.load(ordering: .relaxed)
        snapshot.history = shared.history.count
        snapshot.targets = shared.idleTargets.remembered.load(ordering: .relaxed)
        snapshot.targetsEvicted = targetsEvicted.load(ordering: .relaxed)
        return snapshot
    }

    // MARK: maintenance

    /// Applies due work (expired leases, succeeded operations leaving the registry, ended ones
    /// being forgotten), at most `budget` items, starting at a rotating shard so none starves.
    /// Returns how many items it handled; `budget` handled means more may be due.
    @discardableResult
    public func maintain(budget: Int = 4096) -> Int {
        let now = clock.now().nanoseconds
        let first = maintenanceCursor.wrappingAdd(1, ordering: .relaxed).oldValue
        var handled = forgetHistory(now: now, budget: budget) + evictIdleTargets(budget: budget)
        for offset in 0..<shards.count where handled < budget {
            var effects = ShardEffects()
            let box = shards[(first + offset) & (shards.count - 1)]
            handled += box.state.withLock { $0.runDue(now: now, budget: budget - handled, effects: &effects) }
            deliver(effects)
        }
        return handled
    }

    /// Keeps the timed work going until the calling task is cancelled (the sidecar runs it as a
    /// service): sleeps until the next deadline, at most `maxSleep` so a deadline scheduled
    /// meanwhile is late by no more than that, and goes round at once while a budget's worth is due.
    public func runMaintenance(budget: Int = 4096, maxSleep: Duration = .milliseconds(50)) async {
        while !Task.isCancelled {
            if maintain(budget: budget) == budget {
                await Task.yield()
                continue
            }
            var sleep = maxSleep
            if let deadline = nextMaintenanceDeadline {
                sleep = min(sleep, max(.milliseconds(1), deadline - clock.now()))
            }
            try? await Task.sleep(for: sleep)
        }
    }

    /// The earliest time `maintain()` has something to do, nil when nothing is scheduled.
    public var nextMaintenanceDeadline: Timestamp? {
        (shards.compactMap { $0.state.withLock { $0.due.nextDeadline } } + [shared.history.nextDeadline].compactMap { $0 })
            .min().map { Timestamp(nanoseconds: $0) }
    }

    /// Forgets the longest-idle targets while more than `max_targets` are remembered, at most
    /// `budget`; returns how many it took off the idle list.
    @discardableResult
    private func evictIdleTargets(budget: Int) -> Int {
        var taken = 0
        while taken < budget, shared.idleTargets.isOverCapacity, let idle = shared.idleTargets.takeLongestIdle() {
            taken += 1
            if shards[Int(idle.shard)].state.withLock({ $0.targets.evict(idle.slot, node: idle.node) }) {
                targetsEvicted.add(1, ordering: .relaxed)
                shared.observer.targetEvicted()
            }
        }
        return taken
    }

    /// Forgets what retention lets go now and the oldest history beyond `max_history`, at most
    /// `budget`; returns how many. Called by maintenance, and after any call that ends an
    /// operation while history is over its cap, so memory stays bounded between passes.
    @discardableResult
    private func forgetHistory(now: Int64, budget: Int) -> Int {
        let (entries, evicted) = shared.history.takeForgettable(now: now, budget: budget)
        for entry in entries {
            shards[Int(entry.shard)].state.withLock { $0.forget(entry.handle) }
        }
        if evicted > 0 {
            historyEvictions.add(evicted, ordering: .relaxed)
            shared.observer.historyEvicted(evicted)
        }
        return entries.count
    }
}
