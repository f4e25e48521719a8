/// Submission: staging limits, records, windows and explicit batches.
extension CoordinatorShard {
    func stagingRefusal(_ targetSlot: UInt32, name: String, inBatch: Int, globalStaged: Int) -> SextonError? {
        if (windows[targetSlot]?.count ?? 0) + inBatch >= timings.maxOpsPerTarget {
            return SextonError(
                .stagingFull, "target \(name) already has max_ops_per_target (\(timings.maxOpsPerTarget)) operations staged")
        }
        if globalStaged + inBatch >= timings.maxStagingSize {
            return SextonError(.stagingFull, "max_staging_size (\(timings.maxStagingSize)) operations are staged")
        }
        return nil
    }

    /// How a single submission ended under the shard lock.
    enum SubmitOutcome {
        case decided(Decision)
        /// Waiting in the target's window: the completion gets the decision.
        case staged
        /// The id must be reserved first (`IdIndex.Claim.undecided`); nothing changed.
        case needsReservation
    }

    /// Claims the id of an unreserved submission for the handle its record will get: one index
    /// lock instead of a reservation and a later binding. (Mutating only so the liveness closure
    /// borrows the shard: from a non-mutating method it copied the whole shard each time.)
    mutating func claimID(_ id: StoredID) -> IdIndex.Claim {
        let number = number
        return shared.ids.claim(id, for: ref(ops.nextHandle)) { holder in
            holder.shard == number ? ops.slot(of: holder.handle).map { !ops[$0].status.isEnded } ?? false : nil
        }
    }

    /// Creates the staged record for the target checked out of `targetSlot` and binds its id
    /// (a reserved one; a claimed one is bound).
    mutating func insert(
        _ submission: PreparedSubmission, targetSlot: UInt32, target: inout TargetState, now: Int64
    ) -> RecordHandle {
        let request = submission.request
        let handle = ops.insert(OperationRecord(
            id: submission.id, targetSlot: targetSlot, targetType: names.retain(request.targetType),
            opType: names.retain(request.opType), submittedAt: now, priority: request.priority,
            effectivePriority: submission.effectivePriority))
        target.uses += 1
        if request.parent != nil || request.retryOf != nil || request.retryCount != 0 || request.cleanup != nil {
            extras[ops.slot(of: handle)!] = OperationExtras(
                parent: request.parent, retryOf: request.retryOf, retryCount: request.retryCount, cleanup: request.cleanup)
        }
        if submission.reserved { shared.ids.bind(submission.id, to: ref(handle)) }
        counters.submitted += 1
        counters.byStatus[OperationStatus.staged.ordinal] += 1
        observer.submitted(request.priority.band)
        return handle
    }

    /// Checks the id (claiming it unless reserved), then resolves at once (staging_window 0) or
    /// joins the target's window (the completion is called when the window resolves).
    mutating func submit(
        _ submission: PreparedSubmission, now: Int64, completion: @escaping @Sendable (Decision) -> Void,
        effects: inout ShardEffects
    ) throws(SextonError) -> SubmitOutcome {
        guard !submission.reserved else {
            return try stage(submission, now: now, completion: completion, effects: &effects)
        }
        let claimedFor = ref(ops.nextHandle)
        switch claimID(submission.id) {
        case .duplicate: throw IdIndex.duplicate(submission.id)
        case .undecided: return .needsReservation
        case .claimed(let previous):
            do {
                return try stage(submission, now: now, completion: completion, effects: &effects)
            } catch {
                shared.ids.unclaim(submission.id, from: claimedFor, previous: previous)
                throw error
            }
        }
    }

    private mutating func stage(
        _ submission: PreparedSubmission, now: Int64, completion: @escaping @Sendable (Decision) -> Void,
        effects: inout ShardEffects
    ) throws(SextonError) -> SubmitOutcome {
        let name = submission.request.target
        let targetSlot = targets.slot(of: name)
        return try withTarget(at: targetSlot) { shard, target throws(SextonError) -> SubmitOutcome in
            let timings = shard.timings
            if timings.window == 0 {
                if let refusal = shard.stagingRefusal(
                    targetSlot, name: name, inBatch: 0, globalStaged: shard.shared.staged.load(ordering: .relaxed))
                {
                    throw refusal
                }
                let member = StagedMember(
                    operation: shard.insert(submission, targetSlot: targetSlot, target: &target, now: now),
                    expectedVersion: submission.request.expectedVersion)
                var decision: Decision?
                shard.resolve(CollectionOfOne(member), target: &target, name: name, now: now, effects: &effects) {
                    decision = $1
                }
                return .decided(decision!)
            }
            if let refusal = shard.stagingRefusal(targetSlot, name: name, inBatch: 0, globalStaged: 0) { throw refusal }
            let staged = shard.shared.staged.wrappingAdd(1, ordering: .relaxed).newValue
            if staged > timings.maxStagingSize {
                shard.shared.staged.wrappingSubtract(1, ordering: .relaxed)
                throw shard.stagingRefusal(targetSlot, name: name, inBatch: 0, globalStaged: staged - 1)!
            }
            let handle = shard.insert(submission, targetSlot: targetSlot, target: &target, now: now)
            if shard.windows[targetSlot] == nil { effects.window = (now + timings.window, name, handle) }
            shard.windows[targetSlot, default: []].append(StagedMember(
                operation: handle, expectedVersion: submission.request.expectedVersion, completion: completion))
            return .staged
        }
    }

    /// One explicit batch for one target (the requests' positions come with them), resolved now.
    /// Members over a staging limit get their error and do not join.
    mutating func submitBatch(
        _ group: [(position: Int, submission: PreparedSubmission)], now: Int64, effects: inout ShardEffects
    ) -> [(position: Int, result: Result<Decision, SextonError>)] {
        let name = group[0].submission.request.target
        let globalStaged = shared.staged.load(ordering: .relaxed)
        let targetSlot = targets.slot(of: name)
        return withTarget(at: targetSlot) { shard, target in
            // Sized up front: growing `results` inside `resolve` would count as resolution time.
            var results: [(position: Int, result: Result<Decision, SextonError>)] = []
            results.reserveCapacity(group.count)
            var members: [StagedMember] = []
            members.reserveCapacity(group.count)
            var positions: [Int] = []
            positions.reserveCapacity(group.count)
            for (position, submission) in group {
                if let refusal = shard.stagingRefusal(
                    targetSlot, name: name, inBatch: members.count, globalStaged: globalStaged)
                {
                    results.append((position, .failure(refusal)))
                    continue
                }
                members.append(StagedMember(
                    operation: shard.insert(submission, targetSlot: targetSlot, target: &target, now: now),
                    expectedVersion: submission.request.expectedVersion))
                positions.append(position)
            }
            guard !members.isEmpty else { return results }
            shard.resolve(members, target: &target, name: name, now: now, effects: &effects) { index, decision in
                results.append((positions[index], .success(decision)))
            }
            return results
        }
    }

    /// The scheduled end of a staging window.
    mutating func resolveWindow(firstMember: RecordHandle, now: Int64, effects: inout ShardEffects) {
        guard let opSlot = ops.slot(of: firstMember) else { return }
        let targetSlot = ops[opSlot].targetSlot
        guard let members = windows[targetSlot], members.first?.operation == firstMember else { return }
        windows[targetSlot] = nil
        let name = targets.name(at: targetSlot)
        withTarget(at: targetSlot) { shard, target in
            shard.shared.staged.wrappingSubtract(members.count, ordering: .relaxed)
            var decided: [(Decision, @Sendable (Decision) -> Void)] = []
            shard.resolve(members, target: &target, name: name, now: now, effects: &effects) { index, decision in
                if let completion = members[index].completion { decided.append((decision, completion)) }
            }
            effects.decisions.append(contentsOf: decided)
        }
    }
}
