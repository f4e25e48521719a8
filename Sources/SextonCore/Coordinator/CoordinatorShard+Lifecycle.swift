/// CONTRACT §2.2 and §2.4 transitions of one operation, by its handle.
/// A lifecycle call on one operation: what a client asks of an admitted or executing one.
public enum Transition: Sendable, Equatable {
    case start, heartbeat, cancel
    case complete(succeeded: Bool, error: String?)
}

extension CoordinatorShard {
    mutating func apply(
        _ transition: Transition, to handle: RecordHandle, id: String, now: Int64, effects: inout ShardEffects
    ) throws(SextonError) {
        switch transition {
        case .start: try start(handle, id: id, now: now, effects: &effects)
        case .heartbeat: try heartbeat(handle, id: id, now: now, effects: &effects)
        case .cancel: try cancel(handle, id: id, now: now, effects: &effects)
        case .complete(let succeeded, let error):
            try complete(handle, id: id, succeeded: succeeded, error: error, now: now, effects: &effects)
        }
    }

    /// The slot of a live handle; the handle came from the id index, which can lag a forget.
    func slot(_ handle: RecordHandle, id: String) throws(SextonError) -> Int {
        guard let slot = ops.slot(of: handle) else { throw SextonError(.notFound, "no operation \(id)") }
        return slot
    }

    func refusal(_ slot: Int, _ action: String, needs: String) -> SextonError {
        let record = ops[slot]
        return SextonError(
            .conflict, "cannot \(action) operation \(record.id.external): it is \(record.status.rawValue), not \(needs)",
            operationStatus: record.status, operationReason: record.reason?.rawValue)
    }

    /// Applies an expired lease first, so the answer never depends on when maintenance ran.
    private mutating func catchUpLease(_ slot: Int, now: Int64, effects: inout ShardEffects) {
        guard let deadline = ops[slot].leaseDeadline(lease: timings.lease), deadline <= now else { return }
        withTarget(at: ops[slot].targetSlot) { shard, target in
            shard.expire(slot, target: &target, now: now, effects: &effects)
        }
    }

    private mutating func start(_ handle: RecordHandle, id: String, now: Int64, effects: inout ShardEffects) throws(SextonError) {
        let slot = try slot(handle, id: id)
        catchUpLease(slot, now: now, effects: &effects)
        guard ops[slot].status == .admitted else { throw refusal(slot, "start", needs: "admitted") }
        setStatus(slot, .executing)
        ops[slot].startedAt = now
        ops[slot].heartbeatAt = now
    }

    private mutating func heartbeat(_ handle: RecordHandle, id: String, now: Int64, effects: inout ShardEffects) throws(SextonError) {
        let slot = try slot(handle, id: id)
        catchUpLease(slot, now: now, effects: &effects)
        guard ops[slot].status == .executing else { throw refusal(slot, "heartbeat", needs: "executing") }
        ops[slot].heartbeatAt = now
    }

    private mutating func complete(
        _ handle: RecordHandle, id: String, succeeded: Bool, error: String?, now: Int64, effects: inout ShardEffects
    ) throws(SextonError) {
        let slot = try slot(handle, id: id)
        catchUpLease(slot, now: now, effects: &effects)
        guard ops[slot].status == .executing else { throw refusal(slot, "complete", needs: "executing") }
        if let error { extras[slot, default: OperationExtras()].error = error }
        withTarget(at: ops[slot].targetSlot) { shard, target in
            if succeeded {
                shard.setStatus(slot, .succeeded)
                shard.ops[slot].endedAt = now
                target.activeSlot = nil
                target.version += 1
                shard.counters.succeeded += 1
                shard.observer.completed(.succeeded)
                shard.due.push(OperationDueQueue.Entry(deadline: now + shard.timings.retention, operation: handle, kind: .leaveRegistry))
                shard.enterHistory(handle, now: now, succeeded: true)
            } else {
                shard.counters.failed += 1
                shard.observer.completed(.failed)
                shard.endAsZombie(slot, .failed, .failed, target: &target, now: now, effects: &effects)
            }
        }
    }

    /// Cancels an admitted or executing operation: its entity leaves the registry at once.
    /// A staged one is refused (it resolves within the staging window; cancel its decision).
    private mutating func cancel(_ handle: RecordHandle, id: String, now: Int64, effects: inout ShardEffects) throws(SextonError) {
        let slot = try slot(handle, id: id)
        catchUpLease(slot, now: now, effects: &effects)
        guard ops[slot].status.isActive else { throw refusal(slot, "cancel", needs: "admitted or executing") }
        withTarget(at: ops[slot].targetSlot) { shard, target in
            shard.setStatus(slot, .cancelled)
            shard.ops[slot].endedAt = now
            target.activeSlot = nil
            shard.counters.cancelled += 1
            shard.observer.completed(.cancelled)
            shard.destroyEntity(slot)
            shard.enterHistory(handle, now: now)
        }
    }
}
