import SextonCore

/// Counts what this replica decided and ended (CONTRACT §10: counters count what this replica
/// did), and tells its cleanup of each zombie it created.
struct DecisionReport: Sendable {
    let events: (any CoordinatorObserver)?
    let cleanup: SharedCleanup?

    func resolved(_ batch: SharedStaging.ResolvedBatch) {
        if batch.endedHolder == .preempted { cleanup?.zombieCreated() }
        guard let events else { return }
        switch batch.endedHolder {
        case .preempted?:
            events.rejected(stage: .registry, reason: .preempted)
            events.preempted()
            events.zombieCreated(.preempted)
        case .expired?:
            ended(.expired)
        case .failed?, nil:
            break
        }
        for decision in batch.decisions {
            if decision.isAdmitted {
                events.admitted()
            } else if let reason = decision.reason {
                events.rejected(stage: .staging, reason: reason)
                if reason == .gracePeriod { events.gracePeriodSave() }
            }
        }
        events.conflictResolved(
            batchSize: batch.decisions.count, duration: batch.detected ? batch.duration : .zero, detected: batch.detected)
    }

    /// An admitted operation this replica ended; failed and expired ones are zombies.
    func ended(_ outcome: CompletionOutcome?) {
        if outcome == .failed || outcome == .expired { cleanup?.zombieCreated() }
        guard let outcome, let events else { return }
        events.completed(outcome)
        switch outcome {
        case .failed: events.zombieCreated(.failed)
        case .expired: events.zombieCreated(.expired)
        case .succeeded, .cancelled: break
        }
    }
}
