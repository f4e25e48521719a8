/// What became of one claimed zombie once its handler and the registry were called.
private enum ClaimOutcome {
    case removed(latency: Duration, at: Timestamp)
    /// A `custom` handler succeeded; the zombie waits out the handler's retention.
    case waiting(until: Timestamp)
    case failed(any Error)
}

extension CleanupEngine {
    /// Does, outside the lock, what a lock hold decided: observer events, dry-run reports, then
    /// handlers and removals, whose results are recorded under one more lock hold per batch.
    func perform(_ work: CleanupWork, into tally: inout CleanupPassResult) {
        for trigger in work.triggers { observer.cleanupTriggered(trigger) }
        for (zombie, label) in work.reports {
            observer.dryRunCandidate(zombie, strategy: label)
            tally.candidates += 1
            tally.byStrategy[label, default: 0] += 1
        }
        guard !work.claims.isEmpty else { return }
        tally.candidates += work.claims.count
        // Each removal's end is the next one's start: one clock read per zombie.
        var now = clock.now()
        var outcomes: [ClaimOutcome] = []
        outcomes.reserveCapacity(work.claims.count)
        for claim in work.claims {
            let outcome = run(claim, remover: work.remover, start: now)
            if case .removed(let latency, _) = outcome { now = now + latency } else { now = clock.now() }
            outcomes.append(outcome)
        }
        let recordedAt = now
        let exhausted = state.withLock { s in
            work.claims.indices.map { i in record(outcomes[i], of: work.claims[i], now: recordedAt, in: &s) }
        }
        var cleanedByLabel = [Int](repeating: 0, count: StrategyLabel.allCases.count)
        for (i, claim) in work.claims.enumerated() {
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

    private func run(_ claim: Claim, remover: (any ZombieRemover)?, start: Timestamp) -> ClaimOutcome {
        if let name = claim.handler {
            do {
                guard let handler = handlers[name] else { throw CleanupHandlerNotFound(name: name) }
                try handler.handle(claim.zombie, strategy: claim.label, cleanedAt: start)
                if claim.waitsForRetention && handler.retention > .zero {
                    return .waiting(until: start + handler.retention)
                }
            } catch {
                return .failed(error)
            }
        }
        // false means the registry already let the entity go (a stale id): it is gone either way.
        _ = remover?.removeZombie(claim.zombie.entity, operationID: claim.zombie.operationID)
        let end = clock.now()
        return .removed(latency: end - start, at: end)
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
            // not be lost, and a handler that recovers clears its failed mark on success.
            let delay = retry.delay(afterFailures: min(attempts, retry.maxAttempts))
            s.store.release(claim.slot, label: claim.label, dueAt: now + delay, handlerDone: false, failedAttempts: Int32(attempts))
            return exhausted
        }
    }
}
