import Benchmark
import SextonCore

final class DiscardingRemover: ZombieRemover {
    func removeZombie(_ entity: EntityID, operationID: String) -> Bool { true }
}

/// An engine whose adaptive limits stay out of the way, so a million zombies can be held: the
/// benchmarks price the data structures, and the force threshold (at most 100,000 in a valid
/// configuration) would otherwise clean them at creation.
func makeEngine(_ configure: (inout CleanupConfig) -> Void, policies: [String: CleanupOverride] = [:]) -> (CleanupEngine, DiscardingRemover) {
    var config = CleanupConfig()
    config.forceCleanupThreshold = .max
    config.immediatePriorities = []
    configure(&config)
    let engine = CleanupEngine(config: config, policies: policies, clock: SystemClock())
    let remover = DiscardingRemover()
    engine.attach(remover: remover)
    return (engine, remover)
}

/// Zombies spread over 100,000 targets (ten each per million), ended `age` ago.
func makeZombies(_ count: Int, age: Duration, opType: (Int) -> String = { _ in "default" }) -> [Zombie] {
    let ended = SystemClock().now() - age
    return (0..<count).map { i in
        Zombie(
            operationID: "op-\(i)", entity: EntityID(index: UInt32(i), generation: 1), target: "target-\(i % 100_000)",
            targetType: "type\(i % 8)", opType: opType(i), priority: .normal, retryCount: 0, status: .rejected,
            reason: .preempted, admittedAt: ended - .seconds(1), endedAt: ended, cleanup: nil)
    }
}

let million = 1_000_000

/// Times one scheduled pass over a million zombies that ended two minutes ago.
func measurePassOverAMillionEnded(
    _ benchmark: Benchmark, _ configure: (inout CleanupConfig) -> Void, expect: (CleanupPassResult) -> Bool
) async {
    let (engine, remover) = makeEngine(configure)
    for zombie in makeZombies(million, age: .seconds(120)) { engine.zombieCreated(zombie) }
    benchmark.startMeasurement()
    let pass = await engine.runPass(trigger: .schedule)
    benchmark.stopMeasurement()
    precondition(expect(pass))
    withExtendedLifetime(remover) {}
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], warmupIterations: 1, maxDuration: .seconds(10))

    Benchmark("Immediate cleanup, per zombie", configuration: .init(scalingFactor: .kilo, maxDuration: .seconds(5))) { benchmark in
        let (engine, remover) = makeEngine { $0.strategy = .immediate }
        let zombies = makeZombies(benchmark.scaledIterations.count, age: .zero)
        benchmark.startMeasurement()
        for zombie in zombies { engine.zombieCreated(zombie) }
        benchmark.stopMeasurement()
        withExtendedLifetime(remover) {}
    }

    Benchmark("Deferred pass removing 1,000,000 due zombies", configuration: .init(maxIterations: 5)) { benchmark in
        await measurePassOverAMillionEnded(benchmark, {
            $0.strategy = .deferred
            $0.retention = .seconds(60)
        }, expect: { $0.cleaned == million })
    }

    // Half deferred, half lazy, none due: the pass looks at the due queue's head and one
    // sample of the lazy pool.
    let (pending, pendingRemover) = makeEngine({ $0.strategy = .deferred }, policies: ["lazy": CleanupOverride.lazyStrategy])
    Benchmark("Pass with 1,000,000 pending, none due", configuration: .init(maxIterations: 1000, setup: {
        if pending.snapshot().zombieCount == 0 {
            for zombie in makeZombies(million, age: .zero, opType: { $0 % 2 == 0 ? "lazy" : "deferred" }) {
                pending.zombieCreated(zombie)
            }
        }
    })) { benchmark in
        let pass = await pending.runPass(trigger: .schedule)
        precondition(pass.candidates == 0)
        withExtendedLifetime(pendingRemover) {}
    }

    Benchmark("Lazy sampling pass over 1,000,000 expired (budget 25ms)", configuration: .init(maxIterations: 10)) { benchmark in
        await measurePassOverAMillionEnded(benchmark, {
            $0.strategy = .lazy
            $0.maxZombieAge = .seconds(60)
        }, expect: { $0.cleaned > 0 && $0.cleaned < million })
    }
}

extension CleanupOverride {
    static var lazyStrategy: CleanupOverride {
        var o = CleanupOverride()
        o.strategy = .lazy
        return o
    }
}
