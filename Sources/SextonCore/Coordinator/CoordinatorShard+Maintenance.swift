/// Due work (leases, retention) and zombie removal.
extension CoordinatorShard {
    /// Pops and applies at most `budget` due entries; returns how many it popped.
    mutating func runDue(now: Int64, budget: Int, effects: inout ShardEffects) -> Int {
        var popped = 0
        while popped < budget, let entry = due.popDue(now: now) {
            popped += 1
            guard let slot = ops.slot(of: entry.operation) else { continue }
            switch entry.kind {
            case .lease:
                guard let deadline = ops[slot].leaseDeadline(lease: timings.lease) else { continue }
                if deadline > now {
                    due.push(OperationDueQueue.Entry(deadline: deadline, operation: entry.operation, kind: .lease))
                } else {
                    withTarget(at: ops[slot].targetSlot) { shard, target in
                        shard.expire(slot, target: &target, now: now, effects: &effects)
                    }
                }
            case .leaveRegistry:
                guard ops[slot].status == .succeeded, ops[slot].inRegistry else { continue }
                destroyEntity(slot)
            }
        }
        return popped
    }

    /// Forgets an operation of the history queue: it answers 404 from now on, and its id may be
    /// reused. A succeeded one still in the registry (past `max_history`) leaves it first.
    mutating func forget(_ handle: RecordHandle) {
        guard let slot = ops.slot(of: handle), ops[slot].status.isEnded, !ops[slot].isZombie else { return }
        if ops[slot].inRegistry { destroyEntity(slot) }
        shared.ids.remove(ops[slot].id, boundTo: ref(handle))
        counters.byStatus[ops[slot].status.ordinal] -= 1
        names.release(ops[slot].targetType)
        names.release(ops[slot].opType)
        targets.release(ops[slot].targetSlot)
        if !extras.isEmpty { extras[slot] = nil }
        ops.remove(handle)
    }

    /// The cleanup engine's removal of a zombie's entity; false for a stale entity, or one that
    /// is not that operation's zombie.
    mutating func removeZombie(_ entity: EntityID, operationID: StoredID, now: Int64) -> Bool {
        guard let entitySlot = entities.slot(of: entity) else { return false }
        let slot = Int(entityOps[entitySlot])
        guard ops[slot].isZombie, ops[slot].id == operationID else { return false }
        destroyEntity(slot)
        counters.zombiesInRegistry -= 1
        counters.zombiesRemoved += 1
        enterHistory(ops.handle(ofSlot: slot), now: now)
        return true
    }
}
