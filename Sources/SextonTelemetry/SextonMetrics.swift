import Prometheus
import SextonCore
import Synchronization

/// Every `sexton_*` family of CONTRACT §6: counters and gauges on one swift-prometheus
/// registry, histograms in `HistogramFamily`, written after it. Event families are
/// created once with all their known label values, so recording is a dictionary lookup and an
/// atomic add; gauges are set from snapshots at scrape time (`render`).
public final class SextonMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    let submittedTotal: [PriorityBand: Counter]
    let admittedTotal: Counter
    let rejectedTotal: [RejectReason: Counter]
    let completedTotal: [CompletionOutcome: Counter]
    let conflictsDetected: Counter
    let conflictsResolved: Counter
    let resolutionDuration: HistogramSeries<Duration>
    let operationsPerConflict: HistogramSeries<Double>
    let graceSaves: Counter
    let preemptions: Counter
    let zombiesCreatedTotal: [ZombieReason: Counter]
    let zombiesCleaned: [StrategyLabel: Counter]
    let zombieAgeAtCleanup: [StrategyLabel: HistogramSeries<Duration>]
    let cleanupDuration: [StrategyLabel: HistogramSeries<Duration>]
    let cleanupFailures: [StrategyLabel: Counter]
    let cleanupRuns: [String: Counter]
    let memoryPressureTriggered: Counter
    let forcedCleanups: Counter
    let historyEvictions: Counter
    let targetsEvicted: Counter
    let storeRequestDuration: [StoreOperation: HistogramSeries<Duration>]
    let storeErrors: [StoreOperation: Counter]
    /// Written after the registry's families (see HistogramFamily for why not the registry's).
    private let histograms: [any ExpositionWriter]
    private let gauges: ScrapeGauges
    private let process: ProcessMetrics
    private let httpRequests = Mutex<[String: Counter]>([:])

    /// `store` names the backend and this replica for `sexton_store_info`.
    public init(
        maxTargetTypes: Int, store: (backend: String, replica: String) = ("memory", "local")
    ) {
        let r = registry
        submittedTotal = Dictionary(uniqueKeysWithValues: PriorityBand.allCases.map {
            ($0, r.counter(name: "sexton_operations_submitted_total", labels: [("priority", $0.rawValue)],
                               help: "Operations submitted, by priority level."))
        })
        admittedTotal = r.counter(name: "sexton_operations_admitted_total", help: "Operations admitted into the registry.")
        rejectedTotal = Dictionary(uniqueKeysWithValues: RejectReason.allCases.map {
            ($0, r.counter(name: "sexton_operations_rejected_total",
                               labels: [("stage", $0.stage.rawValue), ("reason", $0.rawValue)],
                               help: "Operations rejected, by stage (staging or registry) and reason."))
        })
        completedTotal = Dictionary(uniqueKeysWithValues: CompletionOutcome.allCases.map {
            ($0, r.counter(name: "sexton_operations_completed_total", labels: [("outcome", $0.rawValue)],
                               help: "Admitted operations that ended, by outcome."))
        })
        conflictsDetected = r.counter(name: "sexton_conflicts_detected_total", help: "Resolutions where more than one operation competed for a target.")
        conflictsResolved = r.counter(name: "sexton_conflicts_resolved_total", help: "Conflicts resolved to a single winner or a kept holder.")
        let resolutionFamily = HistogramFamily(
            name: "sexton_conflict_resolution_duration_seconds", help: "Time to resolve a conflict batch, in seconds.",
            buckets: Buckets.conflictResolution)
        resolutionDuration = resolutionFamily[0]
        let perConflictFamily = HistogramFamily(
            name: "sexton_operations_per_conflict", help: "Operations in the batch of each conflict.",
            buckets: Buckets.operationsPerConflict)
        operationsPerConflict = perConflictFamily[0]
        graceSaves = r.counter(name: "sexton_grace_period_saves_total", help: "Operations rejected because the active operation was within its grace period.")
        preemptions = r.counter(name: "sexton_preemptions_total", help: "Active operations preempted by a strictly higher priority.")
        zombiesCreatedTotal = Dictionary(uniqueKeysWithValues: ZombieReason.allCases.map {
            ($0, r.counter(name: "sexton_zombies_created_total", labels: [("reason", $0.rawValue)],
                               help: "Zombies created, by reason."))
        })
        func byStrategy<T>(_ make: (String) -> T) -> [StrategyLabel: T] {
            Dictionary(uniqueKeysWithValues: StrategyLabel.allCases.map { ($0, make($0.rawValue)) })
        }
        zombiesCleaned = byStrategy {
            r.counter(name: "sexton_zombies_cleaned_total", labels: [("strategy", $0)], help: "Zombies removed from the registry, by cleanup strategy.")
        }
        func seriesByStrategy(_ family: HistogramFamily<Duration>) -> [StrategyLabel: HistogramSeries<Duration>] {
            Dictionary(uniqueKeysWithValues: StrategyLabel.allCases.enumerated().map { ($1, family[$0]) })
        }
        let strategyLabels = StrategyLabel.allCases.map { [("strategy", $0.rawValue)] }
        let ageFamily = HistogramFamily(
            name: "sexton_zombie_age_at_cleanup_seconds", help: "Age of zombies when they were removed, by strategy, in seconds.",
            buckets: Buckets.zombieAge, labelSets: strategyLabels)
        zombieAgeAtCleanup = seriesByStrategy(ageFamily)
        let cleanupFamily = HistogramFamily(
            name: "sexton_cleanup_duration_seconds", help: "Time to remove one zombie, handlers included, by strategy, in seconds.",
            buckets: Buckets.cleanupDuration, labelSets: strategyLabels)
        cleanupDuration = seriesByStrategy(cleanupFamily)
        let storeFamily = HistogramFamily(
            name: "sexton_store_request_duration_seconds", help: "Round trips to the shared store, by operation, in seconds.",
            buckets: Buckets.storeRequest, labelSets: StoreOperation.allCases.map { [("operation", $0.rawValue)] })
        storeRequestDuration = Dictionary(uniqueKeysWithValues: StoreOperation.allCases.enumerated().map { ($1, storeFamily[$0]) })
        storeErrors = Dictionary(uniqueKeysWithValues: StoreOperation.allCases.map {
            ($0, r.counter(name: "sexton_store_errors_total", labels: [("operation", $0.rawValue)],
                               help: "Round trips to the shared store that failed or ran out of time, by operation."))
        })
        r.gauge(name: "sexton_store_info", labels: [("backend", store.backend), ("replica", store.replica)],
                    help: "The store this sidecar coordinates through and its replica name; the value is always 1.").set(1.0)
        histograms = [resolutionFamily, perConflictFamily, ageFamily, cleanupFamily, storeFamily]
        cleanupFailures = byStrategy {
            r.counter(name: "sexton_cleanup_failures_total", labels: [("strategy", $0)], help: "Cleanups that failed (handler errors), by strategy.")
        }
        var runs: [String: Counter] = [:]
        for trigger in ["schedule", "manual"] {
            for dryRun in ["false", "true"] {
                runs["\(trigger)|\(dryRun)"] = r.counter(
                    name: "sexton_cleanup_runs_total", labels: [("trigger", trigger), ("dry_run", dryRun)],
                    help: "Cleanup passes, by trigger and dry-run mode.")
            }
        }
        cleanupRuns = runs
        memoryPressureTriggered = r.counter(name: "sexton_memory_pressure_triggered_cleanups_total", help: "Zombies cleaned immediately because memory pressure was above its threshold.")
        forcedCleanups = r.counter(name: "sexton_forced_cleanups_total", help: "Zombies cleaned immediately because the zombie count or a per-target cap was exceeded.")
        historyEvictions = r.counter(name: "sexton_history_evictions_total", help: "Ended operations forgotten before their history_retention because max_history was reached.")
        targetsEvicted = r.counter(name: "sexton_targets_evicted_total", help: "Idle targets forgotten (their version starts again at 0) because max_targets was reached.")
        r.gauge(name: "sexton_build_info", labels: [("version", BuildInfo.version), ("swift_version", BuildInfo.swiftVersion)],
                    help: "Build information; the value is always 1.").set(1.0)
        gauges = ScrapeGauges(registry: r, targetTypes: TargetTypeLabels(limit: maxTargetTypes))
        process = ProcessMetrics(registry: r)
        // The family must be on the very first scrape, before any request has finished.
        preinitializeHTTPRequest(listener: "telemetry", route: "/metrics", code: 200)
    }

    /// Counts one HTTP request. `route` is the matched pattern, never a concrete path, so ids
    /// stay out of labels.
    public func recordHTTPRequest(listener: String, route: String, code: Int) {
        preinitializeHTTPRequest(listener: listener, route: route, code: code).increment()
    }

    @discardableResult
    private func preinitializeHTTPRequest(listener: String, route: String, code: Int) -> Counter {
        let key = "\(listener) \(route) \(code)"
        return httpRequests.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.counter(
                name: "sexton_http_requests_total",
                labels: [("listener", listener), ("route", route), ("code", String(code))],
                help: "HTTP requests served, by listener, route pattern and status code.")
            counters[key] = counter
            return counter
        }
    }

    /// Sets the scrape-time gauges from `readings` and renders the exposition.
    ///
    /// Scrapes run side by side, unlocked: each series is read atomically, and counters move
    /// during any scrape anyway, so a lock would buy no consistency a reader could rely on. A
    /// gauge may show a concurrent scrape's reading, taken microseconds apart. Serialising
    /// scrapes capped `/metrics` at one render at a time and spent a quarter of the CPU waiting.
    public func render(_ readings: GaugeReadings) -> [UInt8] {
        gauges.update(readings)
        process.update()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(32 * 1024)
        registry.emit(into: &buffer)
        for family in histograms { family.emit(into: &buffer) }
        return buffer
    }
}
