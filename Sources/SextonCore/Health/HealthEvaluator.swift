/// What the health model looks at, gathered from the coordinator's and cleanup engine's
/// snapshots by whoever evaluates it.
public struct HealthInputs: Sendable {
    public var zombieCount: Int
    public var oldestZombieAge: Duration?
    public var workerRunning: Bool
    /// When the worker last finished a pass, or started if it has not finished one yet.
    public var workerLastActivity: Timestamp?
    public var checkInterval: Duration
    public var lastCleanupFailure: Timestamp?
    public var exhaustedHandlers: [String]
    public var memoryPressure: Double?
    public var staged: Int
    public var maxStagingSize: Int
    /// The p99 conflict resolution time over the last minute, nil when nothing resolved.
    public var resolutionLatencyP99: Duration?
    public var store: StoreHealth

    public init(
        zombieCount: Int, oldestZombieAge: Duration?, workerRunning: Bool, workerLastActivity: Timestamp?,
        checkInterval: Duration, lastCleanupFailure: Timestamp?, exhaustedHandlers: [String],
        memoryPressure: Double?, staged: Int, maxStagingSize: Int, resolutionLatencyP99: Duration?,
        store: StoreHealth = StoreHealth()
    ) {
        self.zombieCount = zombieCount
        self.oldestZombieAge = oldestZombieAge
        self.workerRunning = workerRunning
        self.workerLastActivity = workerLastActivity
        self.checkInterval = checkInterval
        self.lastCleanupFailure = lastCleanupFailure
        self.exhaustedHandlers = exhaustedHandlers
        self.memoryPressure = memoryPressure
        self.staged = staged
        self.maxStagingSize = maxStagingSize
        self.resolutionLatencyP99 = resolutionLatencyP99
        self.store = store
    }
}

/// What the `store` check looks at (CONTRACT §4, §10); all nil for the in-process store.
public struct StoreHealth: Sendable, Equatable {
    /// Why the shared store cannot be reached now.
    public var unreachable: String?
    /// A shared setting a live replica has another value for, said as `key: here vs there`.
    public var disagreement: String?
    /// The p99 of the store's round trips over the last minute, nil when there were none.
    public var roundTripP99: Duration?

    public init(unreachable: String? = nil, disagreement: String? = nil, roundTripP99: Duration? = nil) {
        self.unreachable = unreachable
        self.disagreement = disagreement
        self.roundTripP99 = roundTripP99
    }
}

/// The health model of CONTRACT §4: pure, so every threshold can be tested without a server.
public struct HealthEvaluator: Sendable {
    public var thresholds: HealthThresholds
    /// How far back a cleanup failure makes `cleanup_handlers` warn.
    public static let recentFailureWindow: Duration = .seconds(300)

    public init(thresholds: HealthThresholds) { self.thresholds = thresholds }

    public func evaluate(_ inputs: HealthInputs, now: Timestamp) -> HealthReport {
        var checks: [HealthCheck: CheckResult] = [:]
        let t = thresholds

        let count = inputs.zombieCount
        checks[.zombieCount] = CheckResult(
            state: count > t.zombieCountFail ? .fail : count > t.zombieCountWarn ? .warn : .ok,
            value: Double(count), detail: .zombieCount(count, warn: t.zombieCountWarn, fail: t.zombieCountFail))

        let age = inputs.oldestZombieAge ?? .zero
        checks[.zombieAge] = CheckResult(
            state: age > t.zombieAgeFail ? .fail : age > t.zombieAgeWarn ? .warn : .ok,
            value: age.seconds,
            detail: inputs.oldestZombieAge == nil
                ? .text("no zombies") : .zombieAge(age, warn: t.zombieAgeWarn, fail: t.zombieAgeFail))

        checks[.cleanupWorker] = workerCheck(inputs, now: now)
        checks[.cleanupHandlers] = handlerCheck(inputs, now: now)

        let pressure = inputs.memoryPressure ?? 0
        checks[.memoryPressure] = CheckResult(
            state: pressure > t.memoryPressureFail ? .fail : pressure > t.memoryPressureWarn ? .warn : .ok,
            value: pressure,
            detail: inputs.memoryPressure == nil
                ? .text("memory pressure unknown")
                : .memoryPressure(pressure, warn: t.memoryPressureWarn, fail: t.memoryPressureFail))

        let ratio = inputs.maxStagingSize > 0 ? Double(inputs.staged) / Double(inputs.maxStagingSize) : 0
        checks[.staging] = CheckResult(
            state: inputs.staged >= inputs.maxStagingSize ? .fail : ratio > t.stagingWarnRatio ? .warn : .ok,
            value: ratio, detail: .staging(inputs.staged, of: inputs.maxStagingSize))

        let p99 = inputs.resolutionLatencyP99 ?? .zero
        checks[.resolutionLatency] = CheckResult(
            state: p99 > t.resolutionLatencyWarn ? .warn : .ok,
            value: p99.seconds,
            detail: inputs.resolutionLatencyP99 == nil
                ? .text("no conflicts resolved in the last minute")
                : .resolutionLatency(p99, warn: t.resolutionLatencyWarn))

        checks[.store] = storeCheck(inputs.store)
        return HealthReport(checks: checks)
    }

    private func storeCheck(_ store: StoreHealth) -> CheckResult {
        let p99 = store.roundTripP99 ?? .zero
        if let unreachable = store.unreachable {
            return CheckResult(state: .fail, value: p99.seconds, detail: .text(unreachable))
        }
        if let disagreement = store.disagreement {
            return CheckResult(state: .warn, value: p99.seconds, detail: .text("replicas disagree on \(disagreement)"))
        }
        guard let measured = store.roundTripP99 else {
            return CheckResult(state: .ok, value: 0, detail: .text("no store round trips in the last minute"))
        }
        return CheckResult(
            state: measured > thresholds.storeLatencyWarn ? .warn : .ok, value: measured.seconds,
            detail: .storeLatency(measured, warn: thresholds.storeLatencyWarn))
    }

    private func workerCheck(_ inputs: HealthInputs, now: Timestamp) -> CheckResult {
        guard inputs.workerRunning else {
            return CheckResult(state: .fail, value: 0, detail: .text("cleanup worker is not running"))
        }
        let idle = inputs.workerLastActivity.map { now - $0 } ?? .zero
        let limit = inputs.checkInterval * 3
        return CheckResult(state: idle > limit ? .fail : .ok, value: idle.seconds, detail: .workerIdle(idle, limit: limit))
    }

    private func handlerCheck(_ inputs: HealthInputs, now: Timestamp) -> CheckResult {
        if !inputs.exhaustedHandlers.isEmpty {
            return CheckResult(
                state: .fail, value: Double(inputs.exhaustedHandlers.count),
                detail: .exhaustedHandlers(inputs.exhaustedHandlers))
        }
        if let failure = inputs.lastCleanupFailure, now - failure < Self.recentFailureWindow {
            return CheckResult(state: .warn, value: 0, detail: .recentFailure(ago: now - failure))
        }
        return CheckResult(state: .ok, value: 0, detail: .text("no recent cleanup failures"))
    }
}
