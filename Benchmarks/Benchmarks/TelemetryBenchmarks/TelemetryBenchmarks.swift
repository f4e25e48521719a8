import Benchmark
import SextonCore
import SextonTelemetry

/// Metrics with every family holding values: each label value of each event family recorded,
/// HTTP series for the routes a sidecar serves, 50 target types of zombies and a full health
/// report, i.e. what a scrape of a busy sidecar renders.
func populatedMetrics(targetTypes: Int = 50) -> (SextonMetrics, GaugeReadings) {
    let metrics = SextonMetrics(maxTargetTypes: targetTypes)
    for band in PriorityBand.allCases { metrics.submitted(band) }
    for reason in RejectReason.allCases { metrics.rejected(stage: reason.stage, reason: reason) }
    for outcome in CompletionOutcome.allCases { metrics.completed(outcome) }
    for reason in ZombieReason.allCases { metrics.zombieCreated(reason) }
    for size in [2, 3, 5, 8, 40] {
        metrics.conflictResolved(batchSize: size, duration: .microseconds(size * 10), detected: true)
    }
    metrics.admitted()
    metrics.gracePeriodSave()
    metrics.preempted()
    let zombie = Zombie(
        operationID: "op", entity: EntityID(index: 1, generation: 0), target: "t", targetType: "type0", opType: "default",
        priority: .normal, retryCount: 0, status: .failed, reason: .failed, admittedAt: Timestamp(nanoseconds: 0),
        endedAt: Timestamp(nanoseconds: 1), cleanup: nil)
    for strategy in StrategyLabel.allCases {
        metrics.zombieCleaned(zombie, strategy: strategy, latency: .microseconds(50), ageAtCleanup: .seconds(90))
        metrics.cleanupFailed(zombie, strategy: strategy, handler: "audit", error: CleanupHandlerNotFound(name: "audit"), exhausted: false)
    }
    for trigger in AdaptiveTrigger.allCases { metrics.cleanupTriggered(trigger) }
    for trigger in PassTrigger.allCases {
        for dryRun in [false, true] {
            metrics.passFinished(CleanupPassResult(trigger: trigger, dryRun: dryRun, all: false, finishedAt: Timestamp(nanoseconds: 0)))
        }
    }
    let apiRoutes = [
        "/v1/operations", "/v1/batches", "/v1/operations/{id}/start", "/v1/operations/{id}/heartbeat",
        "/v1/operations/{id}/complete", "/v1/operations/{id}", "/v1/targets/{target}", "/v1/zombies",
        "/admin/cleanup", "/admin/cleanup/status",
    ]
    for route in apiRoutes {
        for code in [200, 400, 404, 409] { metrics.recordHTTPRequest(listener: "api", route: route, code: code) }
    }
    for route in ["/metrics", "/livez", "/readyz", "/healthz", "/health", "/"] {
        metrics.recordHTTPRequest(listener: "telemetry", route: route, code: 200)
    }

    var readings = GaugeReadings()
    readings.staged = 12
    readings.active = 340
    readings.registryEntities = 900
    readings.zombiesByTargetType = Dictionary(uniqueKeysWithValues: (0..<targetTypes).map { ("type\($0)", $0 + 1) })
    readings.oldestZombieAge = .seconds(120)
    readings.cleanupBacklog = 4
    readings.lastCleanupRun = WallTime(nanosecondsSinceEpoch: 1_700_000_000_000_000_000)
    readings.workerUp = true
    readings.memoryPressure = 0.42
    let now = Timestamp(nanoseconds: 1_000_000_000_000)
    readings.health = HealthEvaluator(thresholds: HealthThresholds()).evaluate(HealthInputs(
        zombieCount: 10, oldestZombieAge: .seconds(120), workerRunning: true, workerLastActivity: now,
        checkInterval: .seconds(60), lastCleanupFailure: nil, exhaustedHandlers: [], memoryPressure: 0.42, staged: 3,
        maxStagingSize: 10_000, resolutionLatencyP99: .milliseconds(1)), now: now)
    return (metrics, readings)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput], warmupIterations: 10, maxDuration: .seconds(3))

    Benchmark("render /metrics, every family, 50 target types") { benchmark in
        let (metrics, readings) = populatedMetrics()
        // The first scrape creates the per-target-type series; a sidecar pays that once.
        blackHole(metrics.render(readings))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(metrics.render(readings))
        }
    }

    // Per-event costs: scaled by 1,000,000 so the reported time per iteration reads as nanoseconds
    // per event (the `(K)`/`(M)` columns divide accordingly).
    let perEvent = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal], timeUnits: .nanoseconds, warmupIterations: 1, scalingFactor: .mega,
        maxDuration: .seconds(3))

    Benchmark("counter: admitted()", configuration: perEvent) { benchmark in
        let (metrics, _) = populatedMetrics()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { metrics.admitted() }
    }

    Benchmark("labelled counter: submitted(.normal)", configuration: perEvent) { benchmark in
        let (metrics, _) = populatedMetrics()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { metrics.submitted(.normal) }
    }

    Benchmark("histograms: conflictResolved(detected: true)", configuration: perEvent) { benchmark in
        let (metrics, _) = populatedMetrics()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            metrics.conflictResolved(batchSize: 4, duration: .microseconds(30), detected: true)
        }
    }

    Benchmark("histograms: zombieCleaned", configuration: perEvent) { benchmark in
        let (metrics, _) = populatedMetrics()
        let zombie = Zombie(
            operationID: "op", entity: EntityID(index: 1, generation: 0), target: "t", targetType: "t", opType: "default",
            priority: .normal, retryCount: 0, status: .failed, reason: .failed, admittedAt: Timestamp(nanoseconds: 0),
            endedAt: Timestamp(nanoseconds: 1), cleanup: nil)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            metrics.zombieCleaned(zombie, strategy: .lazy, latency: .microseconds(20), ageAtCleanup: .seconds(60))
        }
    }

    Benchmark("http counter: recordHTTPRequest", configuration: perEvent) { benchmark in
        let (metrics, _) = populatedMetrics()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            metrics.recordHTTPRequest(listener: "api", route: "/v1/operations", code: 200)
        }
    }
}
