import Testing
@testable import SextonCore
import SextonCoreTesting

private let now = Timestamp(nanoseconds: 1_800_000_000_000_000_000)

private func healthyInputs() -> HealthInputs {
    HealthInputs(
        zombieCount: 0, oldestZombieAge: nil, workerRunning: true, workerLastActivity: now - .seconds(5),
        checkInterval: .seconds(60), lastCleanupFailure: nil, exhaustedHandlers: [], memoryPressure: 0.3,
        staged: 0, maxStagingSize: 10_000, resolutionLatencyP99: .microseconds(3))
}

private func evaluate(_ change: (inout HealthInputs) -> Void) -> HealthReport {
    var inputs = healthyInputs()
    change(&inputs)
    return HealthEvaluator(thresholds: HealthThresholds()).evaluate(inputs, now: now)
}

@Suite struct HealthEvaluatorTests {
    /// CONTRACT §4's `store` check: fail while unreachable, warn on a disagreement or a slow
    /// p99, ok otherwise (also for the in-process store, which makes no round trips).
    @Test func theStoreCheckFailsWhenUnreachableAndWarnsWhenSlowOrInDisagreement() {
        #expect(evaluate { _ in }.checks[.store]?.message == "no store round trips in the last minute")
        let fast = evaluate { $0.store = StoreHealth(roundTripP99: .milliseconds(3)) }.checks[.store]
        #expect(fast?.state == .ok)
        #expect(fast?.message == "p99 store round trip over the last minute is 3.0 ms (warn above 100ms)")
        let slow = evaluate { $0.store = StoreHealth(roundTripP99: .milliseconds(150)) }
        #expect(slow.checks[.store]?.state == .warn)
        #expect(slow.status == .degraded)
        let disagreeing = evaluate { $0.store = StoreHealth(disagreement: "grace_period: 200ms vs 1s", roundTripP99: .milliseconds(1)) }
        #expect(disagreeing.checks[.store]?.state == .warn)
        #expect(disagreeing.checks[.store]?.message == "replicas disagree on grace_period: 200ms vs 1s")
        let down = evaluate { $0.store = StoreHealth(unreachable: "the shared store did not answer within 5s") }
        #expect(down.checks[.store]?.state == .fail)
        #expect(down.status == .unhealthy)
        #expect(down.issues == ["store fail: the shared store did not answer within 5s"])
        var thresholds = HealthThresholds()
        thresholds.storeLatencyWarn = .milliseconds(200)
        var inputs = healthyInputs()
        inputs.store = StoreHealth(roundTripP99: .milliseconds(150))
        #expect(HealthEvaluator(thresholds: thresholds).evaluate(inputs, now: now).checks[.store]?.state == .ok)
    }

    @Test func healthyWhenEveryCheckIsOk() {
        let report = evaluate { _ in }
        #expect(report.status == .healthy)
        #expect(report.checks.count == HealthCheck.allCases.count)
        #expect(report.checks.values.allSatisfy { $0.state == .ok })
        #expect(report.issues.isEmpty)
    }

    /// Messages name the value and the thresholds, as `/health` shows them.
    @Test func messagesTellTheValueAndTheThresholds() {
        let busy = evaluate {
            $0.zombieCount = 1500
            $0.oldestZombieAge = .seconds(90_000)
            $0.memoryPressure = 0.876
            $0.staged = 42
            $0.workerLastActivity = now - .seconds(200)
            $0.exhaustedHandlers = ["webhook", "audit"]
            $0.resolutionLatencyP99 = .milliseconds(7)
        }
        let messages = busy.checks.mapValues(\.message)
        #expect(messages[.zombieCount] == "1500 zombies (warn above 1000, fail above 10000)")
        #expect(messages[.zombieAge] == "oldest zombie is 1d1h old (warn above 1d, fail above 3d)")
        #expect(messages[.memoryPressure] == "memory pressure 88% (warn above 90%, fail above 97%)")
        #expect(messages[.staging] == "42 of 10000 staging slots in use")
        #expect(messages[.cleanupWorker] == "no cleanup pass finished for 3m20s (limit 3m)")
        #expect(messages[.cleanupHandlers] == "handlers out of retries: audit, webhook")
        #expect(messages[.resolutionLatency]?.hasPrefix("p99 conflict resolution over the last minute is 7.0 ms") == true)

        let quiet = evaluate { $0.memoryPressure = nil; $0.resolutionLatencyP99 = nil }.checks.mapValues(\.message)
        #expect(quiet[.zombieAge] == "no zombies")
        #expect(quiet[.memoryPressure] == "memory pressure unknown")
        #expect(quiet[.cleanupWorker] == "last cleanup pass 5s ago")
        #expect(quiet[.cleanupHandlers] == "no recent cleanup failures")
        #expect(quiet[.resolutionLatency] == "no conflicts resolved in the last minute")
    }

    @Test(arguments: [
        (1000, CheckState.ok), (1001, .warn), (10_000, .warn), (10_001, .fail),
    ])
    func zombieCountThresholds(count: Int, expected: CheckState) {
        let report = evaluate { $0.zombieCount = count }
        #expect(report.checks[.zombieCount]?.state == expected)
        #expect(report.checks[.zombieCount]?.value == Double(count))
    }

    @Test(arguments: [
        (23, CheckState.ok), (25, .warn), (73, .fail),
    ])
    func zombieAgeThresholds(hours: Int, expected: CheckState) {
        let report = evaluate { $0.oldestZombieAge = .seconds(hours * 3600) }
        #expect(report.checks[.zombieAge]?.state == expected)
    }

    @Test func workerFailsWhenStoppedOrStale() {
        #expect(evaluate { $0.workerRunning = false }.checks[.cleanupWorker]?.state == .fail)
        #expect(evaluate { $0.workerLastActivity = now - .seconds(179) }.checks[.cleanupWorker]?.state == .ok)
        #expect(evaluate { $0.workerLastActivity = now - .seconds(181) }.checks[.cleanupWorker]?.state == .fail)
    }

    @Test func handlersWarnOnRecentFailureAndFailWhenExhausted() {
        #expect(evaluate { $0.lastCleanupFailure = now - .seconds(299) }.checks[.cleanupHandlers]?.state == .warn)
        #expect(evaluate { $0.lastCleanupFailure = now - .seconds(301) }.checks[.cleanupHandlers]?.state == .ok)
        let exhausted = evaluate { $0.exhaustedHandlers = ["audit"] }
        #expect(exhausted.checks[.cleanupHandlers]?.state == .fail)
        #expect(exhausted.status == .unhealthy)
        #expect(exhausted.issues.first?.contains("audit") == true)
    }

    @Test(arguments: [(0.9, CheckState.ok), (0.91, .warn), (0.97, .warn), (0.98, .fail)])
    func memoryPressureThresholds(ratio: Double, expected: CheckState) {
        #expect(evaluate { $0.memoryPressure = ratio }.checks[.memoryPressure]?.state == expected)
    }

    @Test func unknownMemoryPressureIsOk() {
        #expect(evaluate { $0.memoryPressure = nil }.checks[.memoryPressure]?.state == .ok)
    }

    @Test(arguments: [(8000, CheckState.ok), (8001, .warn), (10_000, .fail)])
    func stagingThresholds(staged: Int, expected: CheckState) {
        #expect(evaluate { $0.staged = staged }.checks[.staging]?.state == expected)
    }

    @Test func slowResolutionWarns() {
        #expect(evaluate { $0.resolutionLatencyP99 = .milliseconds(100) }.checks[.resolutionLatency]?.state == .ok)
        #expect(evaluate { $0.resolutionLatencyP99 = .milliseconds(101) }.checks[.resolutionLatency]?.state == .warn)
    }

    @Test func statusIsDegradedOnOneOrTwoWarnsAndUnhealthyOnThree() {
        #expect(evaluate { $0.zombieCount = 2000 }.status == .degraded)
        #expect(evaluate { $0.zombieCount = 2000; $0.memoryPressure = 0.95 }.status == .degraded)
        let three = evaluate { $0.zombieCount = 2000; $0.memoryPressure = 0.95; $0.staged = 9000 }
        #expect(three.status == .unhealthy)
        #expect(three.issues.count == 3)
    }

    @Test func customThresholdsApply() {
        var thresholds = HealthThresholds()
        thresholds.zombieCountWarn = 1
        thresholds.zombieCountFail = 2
        var inputs = healthyInputs()
        inputs.zombieCount = 2
        #expect(HealthEvaluator(thresholds: thresholds).evaluate(inputs, now: now).checks[.zombieCount]?.state == .warn)
        inputs.zombieCount = 3
        #expect(HealthEvaluator(thresholds: thresholds).evaluate(inputs, now: now).status == .unhealthy)
    }
}

@Suite struct RecentLatencyTests {
    @Test func p99OfTheLastMinute() {
        let window = RecentLatency()
        #expect(window.quantile(0.99, at: now) == nil)
        for _ in 0..<99 { window.record(.microseconds(2), at: now) }
        window.record(.milliseconds(200), at: now)
        #expect(window.quantile(0.99, at: now) == .nanoseconds(2_500))
        window.record(.milliseconds(200), at: now)
        #expect(window.quantile(0.99, at: now) == .milliseconds(250))
    }

    @Test func oldSamplesAgeOut() {
        let window = RecentLatency()
        window.record(.milliseconds(200), at: now)
        #expect(window.quantile(0.99, at: now + .seconds(59)) == .milliseconds(250))
        #expect(window.quantile(0.99, at: now + .seconds(61)) == nil)
        window.record(.microseconds(1), at: now + .seconds(60))
        #expect(window.quantile(0.99, at: now + .seconds(60)) == .microseconds(1))
    }
}

@Suite struct HealthSignalsTests {
    @Test func onlyConflictsAndRequestRoundsCount() {
        let clock = ManualClock(now)
        let signals = HealthSignals(clock: clock)
        signals.conflictResolved(batchSize: 1, duration: .zero, detected: false)
        signals.storeRound(.sweep, duration: .seconds(2), failed: false)
        signals.storeRound(.cleanup, duration: .seconds(2), failed: false)
        #expect(signals.resolutionLatency.quantile(0.99, at: now) == nil)
        #expect(signals.storeLatency.quantile(0.99, at: now) == nil)
        signals.conflictResolved(batchSize: 2, duration: .milliseconds(3), detected: true)
        signals.storeRound(.submit, duration: .milliseconds(30), failed: true)
        #expect(signals.resolutionLatency.quantile(0.99, at: now) == .milliseconds(5))
        #expect(signals.storeLatency.quantile(0.99, at: now) == .milliseconds(50))
    }
}
