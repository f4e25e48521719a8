/// What became of one claimed zombie once its handler and the registry were called.
private enum ClaimOutcome: Sendable {
    case removed(latency: Duration, at: Timestamp)
    /// A `custom` handler succeeded; the zombie waits out the handler's retention.
    case waiting(until: Timestamp)
    case failed(any Error)
}

extension CleanupEngine {
    /// Does, outside the lock, what a lock hold decided: observer events, dry-run reports, and
    /// the removal of claims with no handler to run (a registry removal: no I/O). Returns the
    /// claims whose handler must run first; the caller queues them for the handler workers, or
    /// (a manual pass) runs them itself with `handle`.
    func perform(_ work: CleanupWork, into tally: inout CleanupPassResult) -> [Claim] {
        for trigger in work.triggers { observer.cleanupTriggered(trigger) }
        for (zombie, label) in work.reports {
            observer.dryRunCandidate(zombie, strategy: label)
            tally.candidates += 1
            tally.byStrategy[label, default: 0] += 1
        }
        guard !work.claims.isEmpty else { return [] }
        tally.candidates += work.claims.count
        var direct: [Claim] = []
        var withHandler: [Claim] = []
        for claim in work.claims {
            if claim.handler == nil { direct.append(claim) } else { withHandler.append(claim) }
        }
        guard !direct.isEmpty else { return withHandler }
        // Each removal's end is the next one's start: one clock read per zombie.
        var now = clock.now()
        var outcomes: [ClaimOutcome] = []
        outcomes.reserveCapacity(direct.count)
        for claim in direct {
            let outcome = remove(claim, remover: work.remover, start: now)
            if case .removed(let latency, _) = outcome { now = now + latency }
            outcomes.append(outcome)
        }
        finish(direct, outcomes, at: now, into: &tally)
        return withHandler
    }

    /// Runs the handlers of `claims`, at most `handlerConcurrency` at a time, and removes each
    /// zombie whose handler succeeded; records every outcome.
    func handle(_ claims: [Claim], into tally: inout CleanupPassResult) async {
        guard !claims.isEmpty else { return }
        let remover = state.withLock { $0.remover }
        let outcomes = await withTaskGroup(of: (Int, ClaimOutcome).self) { group -> [ClaimOutcome] in
            var outcomes = [ClaimOutcome?](repeating: nil, count: claims.count)
            var started = 0
            func startNext() {
                let i = started
                started += 1
                group.addTask { (i, await self.run(claims[i], remover: remover)) }
            }
            while started < min(claims.count, tuning.handlerConcurrency) { startNext() }
            while let (i, outcome) = await group.next() {
                outcomes[i] = outcome
                if started < claims.count { startNext() }
            }
            return outcomes.map { $0! }
        }
        finish(claims, outcomes, at: clock.now(), into: &tally)
    }

    private func run(_ claim: Claim, remover: (any ZombieRemover)?) async -> ClaimOutcome {
        let start = clock.now()
        if let name = claim.handler {
            do {
                guard let handler = handlers[name] else { throw CleanupHandlerNotFound(name: name) }
                let wall = clock.wallClock
                try await handler.handle(CleanupRecord(
                    zombie: claim.zombie, strategy: claim.label, admittedAt: wall.time(of: claim.zombie.admittedAt),
                    endedAt: wall.time(of: claim.zombie.endedAt), cleanedAt: wall.time(of: start)))
                if claim.waitsForRetention && handler.retention > .zero {
                    return .waiting(until: clock.now() + handler.retention)
                }
            } catch {
                return .failed(error)
            }
        }
        return remove(claim, remover: remover, start: start)
    }

    private func remove(_ claim: Claim, remover: (any ZombieRemover)?, start: Timestamp) -> ClaimOutcome {
        // false means the registry already let the entity go (a stale id): it is gone either way.
        _ = remover?.removeZombie(claim.zombie.entity, operationID: claim.zombie.operationID)
        let end = clock.now()
        return .removed(latency: end - start, at: end)
    }

    /// Records the outcomes under one lock hold, then tells the observer and the tally.
    private func finish(_ claims: [Claim], _ outcomes: [ClaimOutcome], at now: Timestamp, into tally: inout CleanupPassResult) {
        let (exhausted, soonest) = state.withLock { s in
            let exhausted = claims.indices.map { i in record(outcomes[i], of: claims[i], now: now, in: &s) }
            return (exhausted, s.store.takeSoonestNewDue())
        }
        if let soonest { alarm.ring(at: soonest) }
        var cleanedByLabel = [Int](repeating: 0, count: StrategyLabel.allCases.count)
        for (i, claim) in claims.enumerated() {
            switch outcomes[i] {
            case .removed(let latency, let at):
                cleanedByLabel[claim.label.ordinal] += 1
                observer.zombieCleaned(claim.zombie, strategy: claim.label, latency: latency, ageAtCleanup: at - claim.zombie.endedAt)
            case .waiting:
                break
            case .failed(let error):
                tally.failed += 1
                observer.cleanupFailed(
                    claim.zombie, strategy: claim.label, handler: claim.handler ?? "", error: error, exhausted: exhausted[i])
            }
        }
        for label in StrategyLabel.allCases where cleanedByLabel[label.ordinal] > 0 {
            tally.cleaned += cleanedByLabel[label.ordinal]
            tally.byStrategy[label, default: 0] += cleanedByLabel[label.ordinal]
        }
    }

    /// Records one outcome; returns whether a failure exhausted the zombie's retries.
    private func record(_ outcome: ClaimOutcome, of claim: Claim, now: Timestamp, in s: inout EngineState) -> Bool {
        switch outcome {
        case .removed:
            _ = s.store.remove(claim.slot)
            s.cleaned += 1
            if let handler = claim.handler { s.failedHandlers.remove(handler) }
            return false
        case .waiting(let until):
            s.store.release(claim.slot, label: claim.label, dueAt: until, handlerDone: true, failedAttempts: 0)
            if let handler = claim.handler { s.failedHandlers.remove(handler) }
            return false
        case .failed:
            let retry = s.store.record(claim.slot).retry
            let attempts = Int(s.store.nodes[Int(claim.slot)].failedAttempts) + 1
            let exhausted = attempts >= retry.maxAttempts
            if exhausted, let handler = claim.handler { s.failedHandlers.insert(handler) }
            s.lastFailureAt = now
            // Past its retries the zombie is still tried, at the longest backoff step: it must
            // not be lost, and a handler that recovers clears its failed mark on success. The
            // delay runs from the failure: the schedule wakes for it.
            let delay = retry.delay(afterFailures: min(attempts, retry.maxAttempts))
            s.store.release(claim.slot, label: claim.label, dueAt: now + delay, handlerDone: false, failedAttempts: Int32(attempts))
            return exhausted
        }
    }
}
