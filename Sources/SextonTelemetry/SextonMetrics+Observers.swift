import SextonCore

/// The core's events become metric updates: a dictionary lookup and an atomic add (or one
/// histogram observation) each, safe to call under the coordinator's shard locks.
extension SextonMetrics: CoordinatorObserver {
    public func submitted(_ band: PriorityBand) { submittedTotal[band]?.increment() }
    public func admitted() { admittedTotal.increment() }
    public func rejected(stage: RejectionStage, reason: RejectReason) { rejectedTotal[reason]?.increment() }

    public func conflictResolved(batchSize: Int, duration: Duration, detected: Bool) {
        guard detected else { return }
        conflictsDetected.increment()
        conflictsResolved.increment()
        resolutionDuration.record(duration)
        operationsPerConflict.record(Double(batchSize))
    }

    public func gracePeriodSave() { graceSaves.increment() }
    public func preempted() { preemptions.increment() }
    public func completed(_ outcome: CompletionOutcome) { completedTotal[outcome]?.increment() }
    public func zombieCreated(_ reason: ZombieReason) { zombiesCreatedTotal[reason]?.increment() }
    public func historyEvicted(_ count: Int) { historyEvictions.increment(by: Int64(count)) }
    public func targetEvicted() { targetsEvicted.increment() }
}

extension SextonMetrics: CleanupObserver {
    public func zombieCleaned(_ zombie: Zombie, strategy: StrategyLabel, latency: Duration, ageAtCleanup: Duration) {
        zombiesCleaned[strategy]?.increment()
        cleanupDuration[strategy]?.record(latency)
        zombieAgeAtCleanup[strategy]?.record(ageAtCleanup)
    }

    public func cleanupFailed(_ zombie: Zombie, strategy: StrategyLabel, handler: String, error: any Error, exhausted: Bool) {
        cleanupFailures[strategy]?.increment()
    }

    public func cleanupTriggered(_ trigger: AdaptiveTrigger) {
        switch trigger {
        case .memoryPressure: memoryPressureTriggered.increment()
        case .forceThreshold, .targetCap: forcedCleanups.increment()
        case .immediatePriority: break
        }
    }

    public func passFinished(_ result: CleanupPassResult) {
        cleanupRuns["\(result.trigger.rawValue)|\(result.dryRun)"]?.increment()
    }
}

extension SextonMetrics: StoreObserver {
    public func storeRound(_ operation: StoreOperation, duration: Duration, failed: Bool) {
        storeRequestDuration[operation]!.record(duration)
        if failed { storeErrors[operation]!.increment() }
    }
}
