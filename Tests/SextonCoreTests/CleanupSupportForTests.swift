import Synchronization
import Testing
@testable import SextonCore
import SextonCoreTesting

/// Stands in for the registry: records every removal, in order.
final class RecordingRemover: ZombieRemover {
    private let log = Mutex<[String]>([])

    func removeZombie(_ entity: EntityID, operationID: String) -> Bool {
        log.withLock { $0.append(operationID) }
        return true
    }

    var removed: [String] { log.withLock { $0 } }
}

/// Records the engine's observer events.
final class RecordingCleanupObserver: CleanupObserver {
    struct Events {
        var cleaned: [(id: String, strategy: StrategyLabel, age: Duration)] = []
        var failures: [(id: String, handler: String, exhausted: Bool)] = []
        var triggers: [AdaptiveTrigger] = []
        var dryRunCandidates: [(id: String, strategy: StrategyLabel)] = []
        var passes: [CleanupPassResult] = []
    }

    private let events = Mutex(Events())

    var recorded: Events { events.withLock { $0 } }

    func zombieCleaned(_ zombie: Zombie, strategy: StrategyLabel, latency: Duration, ageAtCleanup: Duration) {
        events.withLock { $0.cleaned.append((zombie.operationID, strategy, ageAtCleanup)) }
    }

    func cleanupFailed(_ zombie: Zombie, strategy: StrategyLabel, handler: String, error: any Error, exhausted: Bool) {
        events.withLock { $0.failures.append((zombie.operationID, handler, exhausted)) }
    }

    func cleanupTriggered(_ trigger: AdaptiveTrigger) { events.withLock { $0.triggers.append(trigger) } }

    func dryRunCandidate(_ zombie: Zombie, strategy: StrategyLabel) {
        events.withLock { $0.dryRunCandidates.append((zombie.operationID, strategy)) }
    }

    func passFinished(_ result: CleanupPassResult) { events.withLock { $0.passes.append(result) } }
}

/// A memory probe whose reading the test sets.
final class SettableMemory: MemoryPressureSource {
    private let value = Mutex<Double?>(nil)

    init(_ ratio: Double? = nil) { set(ratio) }

    func set(_ ratio: Double?) { value.withLock { $0 = ratio } }
    func sample() -> Double? { value.withLock { $0 } }
}

struct HandlerDown: Error {}

/// A handler that fails its first `failures` calls, records every call, and can share a log
/// with the remover's order checks.
final class ScriptedHandler: CleanupHandler {
    let retention: Duration
    private let state: Mutex<(failuresLeft: Int, calls: [String])>

    init(failures: Int = 0, retention: Duration = .zero) {
        self.retention = retention
        state = Mutex((failures, []))
    }

    func handle(_ record: CleanupRecord) async throws {
        let fail = state.withLock { s in
            s.calls.append(record.zombie.operationID)
            guard s.failuresLeft > 0 else { return false }
            s.failuresLeft -= 1
            return true
        }
        if fail { throw HandlerDown() }
    }

    func failNext(_ count: Int) { state.withLock { $0.failuresLeft = count } }
    var calls: [String] { state.withLock { $0.calls } }
}

/// An engine wired to fakes, with a manual clock, and a zombie factory.
final class CleanupRig: Sendable {
    let clock = ManualClock()
    let remover = RecordingRemover()
    let observer = RecordingCleanupObserver()
    let memory: SettableMemory
    let engine: CleanupEngine
    private let sequence = Atomic<Int>(0)

    init(
        _ configure: (inout CleanupConfig) -> Void = { _ in },
        policies: [String: CleanupOverride] = [:],
        handlers: [String: any CleanupHandler] = [:],
        memory: Double? = nil,
        tuning: CleanupTuning = CleanupTuning(seed: 42)
    ) {
        var config = CleanupConfig()
        configure(&config)
        self.memory = SettableMemory(memory)
        engine = CleanupEngine(
            config: config, policies: policies, clock: clock, handlers: handlers, memory: self.memory,
            observer: observer, tuning: tuning)
        engine.attach(remover: remover)
    }

    func zombie(
        _ id: String? = nil, target: String = "t1", targetType: String = "default", opType: String = "default",
        priority: Priority = .normal, retryCount: Int = 0, cleanup: CleanupOverride? = nil
    ) -> Zombie {
        let n = sequence.add(1, ordering: .relaxed).newValue
        return Zombie(
            operationID: id ?? "op\(n)", entity: EntityID(index: UInt32(n), generation: 1), target: target,
            targetType: targetType, opType: opType, priority: priority, retryCount: retryCount,
            status: .rejected, reason: .preempted, admittedAt: clock.now() - .seconds(1), endedAt: clock.now(),
            cleanup: cleanup)
    }

    /// Creates a zombie, then runs the handlers it queued, as the engine's workers would.
    @discardableResult
    func createAndHandle(
        _ id: String? = nil, target: String = "t1", priority: Priority = .normal, cleanup: CleanupOverride? = nil
    ) async -> Zombie {
        let made = create(id, target: target, priority: priority, cleanup: cleanup)
        await engine.runQueuedHandlers()
        return made
    }

    @discardableResult
    func create(
        _ id: String? = nil, target: String = "t1", targetType: String = "default", opType: String = "default",
        priority: Priority = .normal, retryCount: Int = 0, cleanup: CleanupOverride? = nil
    ) -> Zombie {
        let made = zombie(id, target: target, targetType: targetType, opType: opType, priority: priority, retryCount: retryCount, cleanup: cleanup)
        engine.zombieCreated(made)
        return made
    }

    var ids: [String] { engine.zombies(limit: 1000).map(\.zombie.operationID) }

    func expectIdentity(sourceLocation: SourceLocation = #_sourceLocation) {
        let s = engine.snapshot()
        #expect(s.zombiesCreated == s.zombieCount + s.zombiesCleaned, sourceLocation: sourceLocation)
    }
}

extension CleanupOverride {
    static func with(_ change: (inout CleanupOverride) -> Void) -> CleanupOverride {
        var o = CleanupOverride()
        change(&o)
        return o
    }
}
