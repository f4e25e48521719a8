/// CONTRACT §2.3: one batch against one target.
extension CoordinatorShard {
    /// Resolves `members` (all staged, all for `target`) and emits one decision per member.
    mutating func resolve<Members: RandomAccessCollection<StagedMember>>(
        _ members: Members, target: inout TargetState, name: String, now: Int64, effects: inout ShardEffects,
        emit: (Members.Index, Decision) -> Void
    ) {
        expireIfLeaseRanOut(target: &target, now: now, effects: &effects)
        let holder = target.activeSlot
        assert(holder.map { ops[$0].status.isActive } ?? true, "a target is held by an active operation")
        let detected = members.count > 1 || holder != nil
        let started = detected ? ContinuousClock.now : nil
        let version = target.version

        // Members are in submission order, so on a tie the earlier one (lower sequence) stays.
        var candidate: Members.Index?
        for index in members.indices
        where ResolutionRule.accepts(expectedVersion: members[index].expectedVersion, version: version) {
            if let best = candidate, !outranks(members[index].operation, members[best].operation) { continue }
            candidate = index
        }

        var othersReason = RejectReason.lostConflict
        var winner = holder.map { ops.handle(ofSlot: $0) }
        var admittedIndex: Members.Index?
        var entity: EntityID?
        if let candidate {
            let handle = members[candidate].operation
            let slot = ops.slot(of: handle)!
            let holding = holder.map {
                ResolutionRule.Holder(
                    admittedAt: ops[$0].admittedAt, isExecuting: ops[$0].status == .executing,
                    effectivePriority: ops[$0].effectivePriority)
            }
            switch ResolutionRule.verdict(
                for: ops[slot].effectivePriority, holder: holding, now: now, grace: timings.grace,
                protectExecuting: timings.protectExecuting)
            {
            case .admit:
                admittedIndex = candidate
            case .preempt:
                preempt(holder!, by: ops[slot].id.external, target: &target, now: now, effects: &effects)
                admittedIndex = candidate
            case .keep(let reason):
                othersReason = reason
            }
            if admittedIndex != nil {
                entity = admit(slot, handle, target: &target, now: now)
                winner = handle
            }
        }

        // A generated id is shown by formatting its UUID: once for the winner, not again when
        // the winner is also the member answered.
        let winnerID = winner.flatMap { ops.slot(of: $0) }.map { ops[$0].id.external }
        for index in members.indices {
            let handle = members[index].operation
            let slot = ops.slot(of: handle)!
            if index == admittedIndex {
                emit(index, Decision(
                    id: winnerID!, isAdmitted: true, ecsId: entity, target: name, targetVersion: version,
                    reason: nil, winner: winnerID))
                continue
            }
            let reason = ResolutionRule.reason(
                expectedVersion: members[index].expectedVersion, version: version, others: othersReason)
            rejectStaged(slot, handle, reason: reason, winner: winner, now: now)
            emit(index, Decision(
                id: ops[slot].id.external, isAdmitted: false, ecsId: nil, target: name, targetVersion: version,
                reason: reason, winner: winnerID))
        }

        counters.resolutions += 1
        if detected { counters.conflicts += 1 }
        observer.conflictResolved(
            batchSize: members.count, duration: started.map { ContinuousClock.now - $0 } ?? .zero, detected: detected)
    }

    private func outranks(_ a: RecordHandle, _ b: RecordHandle) -> Bool {
        let (x, y) = (ops[ops.slot(of: a)!], ops[ops.slot(of: b)!])
        return ResolutionRule.outranks(x.effectivePriority, arrived: x.submittedAt, y.effectivePriority, arrived: y.submittedAt)
    }

    /// Creates the operation's registry entity.
    private mutating func admit(_ slot: Int, _ handle: RecordHandle, target: inout TargetState, now: Int64) -> EntityID {
        let entity = entities.create()
        let entitySlot = entities.slot(of: entity)!
        if entitySlot == entityOps.count { entityOps.append(UInt32(slot)) } else { entityOps[entitySlot] = UInt32(slot) }
        setStatus(slot, .admitted)
        ops[slot].admittedAt = now
        ops[slot].entity = entity
        ops[slot].inRegistry = true
        target.activeSlot = slot
        if timings.lease > 0 {
            due.push(OperationDueQueue.Entry(deadline: now + timings.lease, operation: handle, kind: .lease))
        }
        counters.admitted += 1
        observer.admitted()
        return entity
    }

    private mutating func rejectStaged(
        _ slot: Int, _ handle: RecordHandle, reason: RejectReason, winner: RecordHandle?, now: Int64
    ) {
        setStatus(slot, .rejected)
        ops[slot].reason = reason
        ops[slot].endedAt = now
        ops[slot].stagingWinner = winner
        counters.rejectedInStaging += 1
        observer.rejected(stage: .staging, reason: reason)
        if reason == .gracePeriod {
            counters.gracePeriodSaves += 1
            observer.gracePeriodSave()
        }
        enterHistory(handle, now: now)
    }

    private mutating func preempt(
        _ slot: Int, by winner: String, target: inout TargetState, now: Int64, effects: inout ShardEffects
    ) {
        ops[slot].reason = .preempted
        extras[slot, default: OperationExtras()].winner = winner
        counters.preempted += 1
        observer.rejected(stage: .registry, reason: .preempted)
        observer.preempted()
        endAsZombie(slot, .rejected, .preempted, target: &target, now: now, effects: &effects)
    }
}
