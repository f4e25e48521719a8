/// Receives the coordinator's events (telemetry counts them).
///
/// Every event but `historyEvicted` is called while the coordinator holds the lock of the
/// target's shard, so implementations must be cheap and non-blocking (increment a counter) and
/// must never call back into the coordinator. A shared store calls them after its commit
/// instead, on its own tasks. Events carry no allocation: plain values only.
public protocol CoordinatorObserver: Sendable {
    /// Accepted into staging (after validation and limits).
    func submitted(_ band: PriorityBand)
    func admitted()
    /// `stage` is `.registry` only for `.preempted`.
    func rejected(stage: RejectionStage, reason: RejectReason)
    /// Called for every resolution; `detected` when more than one operation competed (a batch of
    /// two or more, or a batch that met an active operation). `duration` is measured only then,
    /// and is zero otherwise.
    func conflictResolved(batchSize: Int, duration: Duration, detected: Bool)
    /// One per operation rejected with reason `grace_period`.
    func gracePeriodSave()
    func preempted()
    /// An admitted operation ended: succeeded, failed, expired (lease) or cancelled.
    func completed(_ outcome: CompletionOutcome)
    func zombieCreated(_ reason: ZombieReason)
    /// `count` ended operations were forgotten before their retention: `max_history` was reached.
    /// Called outside the shards' locks.
    func historyEvicted(_ count: Int)
    /// An idle target was forgotten (its version starts again at 0): `max_targets` was reached.
    func targetEvicted()
}

extension CoordinatorObserver {
    public func submitted(_ band: PriorityBand) {}
    public func admitted() {}
    public func rejected(stage: RejectionStage, reason: RejectReason) {}
    public func conflictResolved(batchSize: Int, duration: Duration, detected: Bool) {}
    public func gracePeriodSave() {}
    public func preempted() {}
    public func completed(_ outcome: CompletionOutcome) {}
    public func zombieCreated(_ reason: ZombieReason) {}
    public func historyEvicted(_ count: Int) {}
    public func targetEvicted() {}
}

/// Ignores every event.
public struct NoCoordinatorObserver: CoordinatorObserver {
    public init() {}
}

/// Several coordinator observers as one.
public struct CoordinatorObservers: CoordinatorObserver {
    let all: [any CoordinatorObserver]

    public init(_ all: [any CoordinatorObserver]) {
        self.all = all
    }

    public func submitted(_ band: PriorityBand) { for o in all { o.submitted(band) } }
    public func admitted() { for o in all { o.admitted() } }
    public func rejected(stage: RejectionStage, reason: RejectReason) { for o in all { o.rejected(stage: stage, reason: reason) } }
    public func conflictResolved(batchSize: Int, duration: Duration, detected: Bool) {
        for o in all { o.conflictResolved(batchSize: batchSize, duration: duration, detected: detected) }
    }
    public func gracePeriodSave() { for o in all { o.gracePeriodSave() } }
    public func preempted() { for o in all { o.preempted() } }
    public func completed(_ outcome: CompletionOutcome) { for o in all { o.completed(outcome) } }
    public func zombieCreated(_ reason: ZombieReason) { for o in all { o.zombieCreated(reason) } }
    public func historyEvicted(_ count: Int) { for o in all { o.historyEvicted(count) } }
    public func targetEvicted() { for o in all { o.targetEvicted() } }
}
