import Synchronization

/// State every shard shares: the id index and the global staging count.
final class CoordinatorShared: Sendable {
    let ids: IdIndex
    let history: HistoryQueue
    let idleTargets: IdleTargets
    /// Operations waiting in staging windows, across shards (for `max_staging_size`).
    let staged = Atomic<Int>(0)
    let observer: any CoordinatorObserver

    init(ids: IdIndex, history: HistoryQueue, idleTargets: IdleTargets, observer: any CoordinatorObserver) {
        self.ids = ids
        self.history = history
        self.idleTargets = idleTargets
        self.observer = observer
    }
}

/// The configuration in the units the hot path uses.
struct CoordinatorTimings {
    var window: Int64
    var grace: Int64
    var lease: Int64
    var retention: Int64
    var protectExecuting: Bool
    var maxOpsPerTarget: Int
    var maxStagingSize: Int

    init(_ config: CoordinatorConfig) {
        window = config.stagingWindow.nanoseconds
        grace = config.gracePeriod.nanoseconds
        lease = config.leaseTimeout.nanoseconds
        retention = config.historyRetention.nanoseconds
        protectExecuting = config.protectExecuting
        maxOpsPerTarget = config.maxOpsPerTarget
        maxStagingSize = config.maxStagingSize
    }
}

/// What a locked section decided that must happen after the lock is released: callbacks,
/// zombies for the sink, a window to schedule.
struct ShardEffects {
    var decisions: [(Decision, @Sendable (Decision) -> Void)] = []
    var zombies: [Zombie] = []
    var window: (deadline: Int64, target: String, firstMember: RecordHandle)?
}

/// A request that passed validation.
struct PreparedSubmission {
    var request: OperationRequest
    var id: StoredID
    var effectivePriority: Priority
    /// Whether `IdIndex.reserve` holds the id already (explicit batches, and the rare single
    /// submission whose id another shard's operation held); otherwise the shard claims it.
    var reserved = false
}

/// One slice of the coordinator, owning the targets that hash to it: their states, the records
/// of their operations, the registry entities of those operations and their due work. Always
/// used under its own mutex.
struct CoordinatorShard {
    let number: UInt32
    let timings: CoordinatorTimings
    let shared: CoordinatorShared
    /// `shared.observer`, kept here so each event does not copy the existential out of `shared`.
    let observer: any CoordinatorObserver
    var ops: OperationTable
    /// The registry: an admitted operation's entity, freed (and its index reusable with a new
    /// generation) as soon as the entity leaves, while the record stays for history.
    var entities: EntityRegistry
    /// Per entity slot, the record slot of its operation. A record outlives its entity (only an
    /// operation out of the registry is forgotten), so a slot needs no generation here.
    var entityOps: [UInt32] = []
    var targets: TargetTable
    /// Open staging windows by target slot, in submission order. The first member's handle
    /// names a window (handles are never reused as they were), so a scheduled resolution of an
    /// earlier window does nothing.
    var windows: [UInt32: [StagedMember]] = [:]
    var names = NameTable()
    /// By record slot, for the few operations that have any.
    var extras: [Int: OperationExtras] = [:]
    var due = OperationDueQueue()
    var counters = ShardCounters()

    init(number: UInt32, shardBits: Int, timings: CoordinatorTimings, shared: CoordinatorShared) {
        self.number = number
        self.timings = timings
        self.shared = shared
        observer = shared.observer
        targets = TargetTable(shard: number, idle: shared.idleTargets)
        ops = OperationTable(tag: number, tagBits: shardBits)
        entities = EntityRegistry(tag: number, tagBits: shardBits)
    }


    func ref(_ handle: RecordHandle) -> OperationRef { OperationRef(shard: number, handle: handle) }

    /// Runs `body` on the state of the target in `slot`, which leaves the table afterwards if it
    /// holds nothing worth remembering.
    mutating func withTarget<R, E: Error>(
        at slot: UInt32, _ body: (inout CoordinatorShard, inout TargetState) throws(E) -> R
    ) throws(E) -> R {
        var target = targets.checkOut(slot)
        defer { targets.checkIn(slot, target) }
        return try body(&self, &target)
    }

    mutating func setStatus(_ slot: Int, _ status: OperationStatus) {
        counters.byStatus[ops[slot].status.ordinal] -= 1
        counters.byStatus[status.ordinal] += 1
        ops[slot].status = status
    }

    /// The operation ended (or, as a zombie, left the registry) at `now`: it is history now,
    /// forgotten after `history_retention` or sooner past `max_history`.
    mutating func enterHistory(_ handle: RecordHandle, now: Int64, succeeded: Bool = false) {
        shared.history.append(HistoryQueue.Entry(handle: handle, since: now, shard: number), succeeded: succeeded)
    }

    func zombie(_ slot: Int, _ reason: ZombieReason) -> Zombie {
        let record = ops[slot]
        let extras = extras[slot]
        return Zombie(
            operationID: record.id.external, entity: record.entity!, target: targets.name(at: record.targetSlot),
            targetType: names[record.targetType], opType: names[record.opType], priority: record.effectivePriority,
            retryCount: extras?.retryCount ?? 0, status: record.status, reason: reason,
            admittedAt: Timestamp(nanoseconds: record.admittedAt), endedAt: Timestamp(nanoseconds: record.endedAt),
            cleanup: extras?.cleanup)
    }

    /// Ends an active operation as a zombie (preempted, failed or expired): it keeps its
    /// entity, the target is freed, the sink gets it after the lock is released.
    mutating func endAsZombie(
        _ slot: Int, _ status: OperationStatus, _ reason: ZombieReason, target: inout TargetState, now: Int64,
        effects: inout ShardEffects
    ) {
        setStatus(slot, status)
        ops[slot].endedAt = now
        target.activeSlot = nil
        counters.zombiesInRegistry += 1
        observer.zombieCreated(reason)
        effects.zombies.append(zombie(slot, reason))
    }

    mutating func destroyEntity(_ slot: Int) {
        entities.destroy(ops[slot].entity!)
        ops[slot].inRegistry = false
    }

    /// Expires the operation holding `target` if its lease has run out, so a resolution or a
    /// lifecycle call never acts on a lease that maintenance has not caught up with yet.
    mutating func expireIfLeaseRanOut(target: inout TargetState, now: Int64, effects: inout ShardEffects) {
        guard let slot = target.activeSlot,
              let deadline = ops[slot].leaseDeadline(lease: timings.lease), deadline <= now
        else { return }
        expire(slot, target: &target, now: now, effects: &effects)
    }

    mutating func expire(_ slot: Int, target: inout TargetState, now: Int64, effects: inout ShardEffects) {
        counters.expired += 1
        observer.completed(.expired)
        endAsZombie(slot, .expired, .expired, target: &target, now: now, effects: &effects)
    }
}
