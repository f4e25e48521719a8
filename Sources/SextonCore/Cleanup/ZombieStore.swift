/// Per-slot bookkeeping, kept apart from the zombie itself so the hot loops touch small values.
struct ZombieNode {
    /// When the zombie becomes removable (retention, retry, lazy expiry); .max for `none`.
    var dueAt: Int64 = .max
    /// Matches the due-queue entry that is live for this slot; 0 when not scheduled.
    var scheduleID: UInt64 = 0
    var label: StrategyLabel = .none
    var live = false
    /// Claimed by a pass, visit or creation that is running its handler or removal now.
    var inFlight = false
    /// Its handler already succeeded (a `custom` zombie waiting out the handler's retention).
    var handlerDone = false
    var failedAttempts: Int32 = 0
    /// The last pass that selected or reported it, so one pass never takes a zombie twice.
    var passMark: UInt64 = 0
    /// Bumped when the slot is freed, so a cursor can tell its slot was reused.
    var generation: UInt32 = 0
    var targetID: Int32 = -1
    var typeID: Int32 = -1
}

/// A zombie with what its removal needs. A class, so the slab, claims and slices move a
/// pointer instead of a 250-byte value (slices of values were big enough to be mmapped afresh).
final class ZombieRecord: Sendable {
    let zombie: Zombie
    let handler: String?
    let retry: RetryPolicy

    init(zombie: Zombie, handler: String?, retry: RetryPolicy) {
        self.zombie = zombie
        self.handler = handler
        self.retry = retry
    }
}

/// A zombie taken for removal: its handler runs and the registry drops it, outside the lock.
struct Claim {
    var slot: Int32
    var record: ZombieRecord
    var label: StrategyLabel
    /// The handler to run first; nil when none is configured, it already succeeded, or in a dry run.
    var handler: String?
    /// A `custom` zombie whose handler runs now: after success it waits out the handler's
    /// retention instead of being removed.
    var waitsForRetention: Bool

    var zombie: Zombie { record.zombie }
}

/// Every zombie the engine holds, with the indexes the queries and passes need: insertion
/// order overall, per target and per target type (oldest first), the due queue, and the lazy
/// sampling pool. Not thread-safe: the engine keeps it behind its lock.
struct ZombieStore {
    private(set) var nodes: [ZombieNode] = []
    private var records: [ZombieRecord?] = []
    private var freeSlots: [Int32] = []
    private(set) var all = ListHead()
    private(set) var allLinks = SlotLinks()
    private(set) var byTarget = KeyedSlotLists()
    private(set) var byType = KeyedSlotLists()
    private(set) var due = DueQueue()
    private(set) var scheduled = 0
    private(set) var pool = SamplingPool()
    private(set) var inFlight = 0
    /// Zombies whose handler failed and that wait for their next attempt.
    private(set) var retrying = 0
    /// Targets holding more than `maxPerTarget` zombies, so a pass finds them without a scan.
    private(set) var overCapTargets: Set<Int32> = []
    private var nextScheduleID: UInt64 = 1
    /// The soonest due time scheduled since the engine last looked, so it can wake its schedule.
    private(set) var soonestNewDue: Int64 = .max
    let maxPerTarget: Int

    init(maxPerTarget: Int) { self.maxPerTarget = maxPerTarget }

    var count: Int { all.count }

    func record(_ slot: Int32) -> ZombieRecord { records[Int(slot)]! }

    mutating func insert(_ zombie: Zombie, handler: String?, retry: RetryPolicy, label: StrategyLabel) -> Int32 {
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = Int32(nodes.count)
            nodes.append(ZombieNode())
            records.append(nil)
            let slots = nodes.count
            allLinks.grow(to: slots)
            byTarget.grow(to: slots)
            byType.grow(to: slots)
            pool.grow(to: slots)
        }
        let i = Int(slot)
        records[i] = ZombieRecord(zombie: zombie, handler: handler, retry: retry)
        nodes[i].live = true
        nodes[i].label = label
        nodes[i].dueAt = .max
        allLinks.append(slot, to: &all)
        let target = byTarget.append(slot, key: zombie.target)
        nodes[i].targetID = target
        nodes[i].typeID = byType.append(slot, key: zombie.targetType)
        if byTarget.lists[Int(target)].count > maxPerTarget { overCapTargets.insert(target) }
        return slot
    }

    /// Unlinks the zombie from every index and frees its slot.
    mutating func remove(_ slot: Int32) -> ZombieRecord {
        let i = Int(slot)
        unschedule(slot)
        pool.remove(slot)
        if nodes[i].inFlight { inFlight -= 1 }
        if nodes[i].failedAttempts > 0 { retrying -= 1 }
        allLinks.remove(slot, from: &all)
        let target = nodes[i].targetID
        byTarget.remove(slot, id: target)
        if byTarget.lists[Int(target)].count <= maxPerTarget { overCapTargets.remove(target) }
        byType.remove(slot, id: nodes[i].typeID)
        let record = records[i]!
        records[i] = nil
        nodes[i] = ZombieNode(generation: nodes[i].generation &+ 1)
        freeSlots.append(slot)
        return record
    }

    mutating func schedule(_ slot: Int32, at time: Timestamp) {
        let i = Int(slot)
        if nodes[i].scheduleID == 0 { scheduled += 1 }
        let id = nextScheduleID
        nextScheduleID += 1
        nodes[i].scheduleID = id
        nodes[i].dueAt = time.nanoseconds
        due.push(DueQueue.Entry(due: time.nanoseconds, slot: slot, scheduleID: id))
        soonestNewDue = min(soonestNewDue, time.nanoseconds)
    }

    /// The soonest due time scheduled since the last call.
    mutating func takeSoonestNewDue() -> Timestamp? {
        defer { soonestNewDue = .max }
        return soonestNewDue == .max ? nil : Timestamp(nanoseconds: soonestNewDue)
    }

    /// The earliest entry of the due queue (possibly one left by an early removal).
    var nextDue: Timestamp? { due.earliest.map { Timestamp(nanoseconds: $0.due) } }

    mutating func unschedule(_ slot: Int32) {
        let i = Int(slot)
        guard nodes[i].scheduleID != 0 else { return }
        nodes[i].scheduleID = 0
        scheduled -= 1
    }

    mutating func addToPool(_ slot: Int32, expiresAt: Timestamp) {
        nodes[Int(slot)].dueAt = expiresAt.nanoseconds
        pool.insert(slot)
    }

    /// Takes a zombie out of the due queue and the pool for removal by the caller.
    mutating func claim(_ slot: Int32, label: StrategyLabel, pass: UInt64, dryRun: Bool) -> Claim {
        let i = Int(slot)
        nodes[i].inFlight = true
        nodes[i].passMark = pass
        inFlight += 1
        unschedule(slot)
        pool.remove(slot)
        let record = records[i]!
        // An operator's purge removes a zombie whatever its handler's state (CONTRACT §3.3).
        let handler = dryRun || label == .manual || nodes[i].handlerDone ? nil : record.handler
        return Claim(
            slot: slot, record: record, label: label, handler: handler,
            waitsForRetention: label == .custom && handler != nil)
    }

    /// Returns a claimed zombie to the tracked set, due again at `due` under `label`.
    mutating func release(
        _ slot: Int32, label: StrategyLabel, dueAt time: Timestamp, handlerDone: Bool, failedAttempts: Int32
    ) {
        let i = Int(slot)
        if (nodes[i].failedAttempts > 0) != (failedAttempts > 0) { retrying += failedAttempts > 0 ? 1 : -1 }
        nodes[i].label = label
        nodes[i].inFlight = false
        nodes[i].handlerDone = handlerDone
        nodes[i].failedAttempts = failedAttempts
        inFlight -= 1
        schedule(slot, at: time)
    }

    mutating func swapPoolPositions(_ a: Int, _ b: Int) { pool.swapPositions(a, b) }

    mutating func mark(_ slot: Int32, pass: UInt64) { nodes[Int(slot)].passMark = pass }

    /// Pops the next live due entry at `now`, dropping stale ones on the way.
    mutating func popDue(now: Timestamp) -> Int32? {
        while let top = due.earliest, top.due <= now.nanoseconds {
            _ = due.popEarliest()
            if nodes[Int(top.slot)].scheduleID == top.scheduleID { return top.slot }
        }
        return nil
    }

    /// The live due entries at `now` in due order, without removing them (a dry run).
    func dueSlots(now: Timestamp) -> [Int32] {
        due.entries(dueAt: now.nanoseconds).filter { nodes[Int($0.slot)].scheduleID == $0.scheduleID }.map(\.slot)
    }

    /// Rebuilds the due queue once stale entries (left by early removals) outnumber live ones,
    /// so its memory stays proportional to what is scheduled; amortised O(1) per removal.
    mutating func compactDueQueueIfSparse() {
        guard due.count > 4096, due.count > 2 * scheduled else { return }
        let nodes = self.nodes
        due.compact { nodes[Int($0.slot)].scheduleID == $0.scheduleID }
    }

    func tracked(_ slot: Int32) -> TrackedZombie {
        let node = nodes[Int(slot)]
        return TrackedZombie(
            zombie: records[Int(slot)]!.zombie, strategy: node.label,
            cleanupAt: node.dueAt == .max ? nil : Timestamp(nanoseconds: node.dueAt),
            failedAttempts: Int(node.failedAttempts))
    }

    /// May this zombie be taken by pass `pass`: live, not being removed, not already taken.
    func isAvailable(_ slot: Int32, pass: UInt64) -> Bool {
        let node = nodes[Int(slot)]
        return node.live && !node.inFlight && node.passMark != pass
    }
}
