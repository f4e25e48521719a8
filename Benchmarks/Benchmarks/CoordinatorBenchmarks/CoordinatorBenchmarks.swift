import Benchmark
import SextonCore
import Synchronization

final class DiscardingSink: ZombieSink {
    func zombieCreated(_ zombie: Zombie) {}
}

/// Keeps the duration of the last conflict resolution (the coordinator times only the
/// resolution itself, under the shard lock).
final class ResolutionTimer: CoordinatorObserver {
    let lastNanoseconds = Atomic<Int64>(0)
    func conflictResolved(batchSize: Int, duration: Duration, detected: Bool) {
        lastNanoseconds.store(duration.nanoseconds, ordering: .relaxed)
    }
}

/// A coordinator that resolves on arrival and forgets at once, so history does not pile up
/// across benchmark runs.
func makeCoordinator(
    retention: Duration = .zero, maxHistory: Int = 100_000, observer: any CoordinatorObserver = NoCoordinatorObserver()
) -> Coordinator {
    var config = CoordinatorConfig()
    config.stagingWindow = .zero
    config.historyRetention = retention
    config.maxHistory = maxHistory
    config.maxOpsPerTarget = 1_000
    let clock = SystemClock()
    return Coordinator(
        config: config, clock: clock, scheduler: StagingTimers(clock: clock), zombies: DiscardingSink(),
        observer: observer)
}

/// State kept across the runs of one benchmark: the coordinator and a counter for unique names.
final class Fixture: Sendable {
    let timer = ResolutionTimer()
    let coordinator: Coordinator
    init() { coordinator = makeCoordinator(observer: timer) }
    private let counter = Atomic<Int>(0)
    func next() -> Int { counter.wrappingAdd(1, ordering: .relaxed).oldValue }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], warmupIterations: 3, maxDuration: .seconds(5))

    Benchmark(
        "Submit and resolve, no conflict (staging_window 0)",
        configuration: .init(scalingFactor: .kilo, maxDuration: .seconds(5))
    ) { benchmark in
        let coordinator = makeCoordinator()
        let requests = benchmark.scaledIterations.map { OperationRequest(id: "op\($0)", target: "t\($0)") }
        benchmark.startMeasurement()
        for request in requests {
            try coordinator.submit(request) { blackHole($0) }
        }
        benchmark.stopMeasurement()
    }

    let conflicts = Fixture()
    let resolution = BenchmarkMetric.custom("resolution alone (ns)", useScalingFactor: false)
    Benchmark(
        "Conflict batch of 8 (submitBatch end to end; resolution alone)",
        configuration: .init(
            metrics: [.wallClock, .mallocCountTotal, resolution], maxDuration: .seconds(5), maxIterations: 200_000)
    ) { benchmark in
        let n = conflicts.next()
        let priorities: [Priority] = [.low, .high, .normal, .critical, .background, .high, .normal, .critical]
        let batch = priorities.enumerated().map { index, priority in
            OperationRequest(id: "b\(n)-\(index)", target: "t\(n)", priority: priority)
        }
        benchmark.startMeasurement()
        blackHole(conflicts.coordinator.submitBatch(batch))
        benchmark.stopMeasurement()
        benchmark.measurement(resolution, Int(conflicts.timer.lastNanoseconds.load(ordering: .relaxed)))
        try conflicts.coordinator.cancel("b\(n)-3")
        conflicts.coordinator.maintain()
    }

    // A submission refused at once (target_busy) enters history; with history full each one
    // forgets the oldest too. The difference between the two is what one eviction costs.
    for (name, maxHistory) in [("history full: one eviction each", 1_000), ("history not full", 100_000_000)] {
        let coordinator = makeCoordinator(retention: .seconds(3600), maxHistory: maxHistory)
        let counter = Atomic<Int>(0)
        try? coordinator.submit(OperationRequest(id: "holder", target: "hot", priority: .critical)) { blackHole($0) }
        Benchmark("Refused submission, \(name)", configuration: .init(scalingFactor: .kilo, maxDuration: .seconds(5))) { benchmark in
            let first = counter.wrappingAdd(benchmark.scaledIterations.count, ordering: .relaxed).oldValue
            let requests = benchmark.scaledIterations.map { OperationRequest(id: "r\(first + $0)", target: "hot", priority: .low) }
            benchmark.startMeasurement()
            for request in requests {
                try coordinator.submit(request) { blackHole($0) }
            }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("Registry create + destroy", configuration: .init(scalingFactor: .mega)) { benchmark in
        var registry = EntityRegistry()
        var live = (0..<1024).map { _ in registry.create() }
        benchmark.startMeasurement()
        for iteration in benchmark.scaledIterations {
            let slot = iteration & 1023
            registry.destroy(live[slot])
            live[slot] = registry.create()
        }
        benchmark.stopMeasurement()
        blackHole(registry.count)
    }

    let perOperation = BenchmarkMetric.custom("heap bytes per live operation", useScalingFactor: false)
    for (name, generatedIDs) in [("short ids", false), ("generated UUID ids", true)] {
        Benchmark(
            "Memory at 1,000,000 live operations (\(name))",
            // One run, no warm-up: memory a previous run freed would hide the growth.
            configuration: .init(
                metrics: [perOperation, .peakMemoryResident], warmupIterations: 0, maxDuration: .seconds(60),
                maxIterations: 1)
        ) { benchmark in
            let count = 1_000_000
            let requests = (0..<count).map { OperationRequest(id: generatedIDs ? nil : "o\($0)", target: "t\($0)") }
            let before = heapBytesInUse()
            let coordinator = makeCoordinator(retention: .seconds(60))
            for request in requests {
                try coordinator.submit(request) { blackHole($0) }
            }
            let after = heapBytesInUse()
            precondition(coordinator.snapshot().active == count)
            benchmark.measurement(perOperation, (after - before) / count)
            // Without this, Swift may free the requests (272 MB) right after their last use, before
            // `after` is read, and the coordinator's growth hides behind their release.
            withExtendedLifetime(requests) {}
        }
    }
}
