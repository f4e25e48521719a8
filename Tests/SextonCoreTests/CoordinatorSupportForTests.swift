import SextonCore
import SextonCoreTesting
import Synchronization
import Testing

final class RecordingZombieSink: ZombieSink {
    private let zombies = Mutex<[Zombie]>([])
    func zombieCreated(_ zombie: Zombie) { zombies.withLock { $0.append(zombie) } }
    var all: [Zombie] { zombies.withLock { $0 } }
}

/// Counts observer events by name.
final class CountingCoordinatorObserver: CoordinatorObserver {
    private let counts = Mutex<[String: Int]>([:])
    private func bump(_ name: String) { counts.withLock { $0[name, default: 0] += 1 } }
    subscript(_ name: String) -> Int { counts.withLock { $0[name, default: 0] } }

    func submitted(_ band: PriorityBand) { bump("submitted.\(band.rawValue)") }
    func admitted() { bump("admitted") }
    func rejected(stage: RejectionStage, reason: RejectReason) { bump("rejected.\(stage.rawValue).\(reason.rawValue)") }
    func conflictResolved(batchSize: Int, duration: Duration, detected: Bool) {
        bump(detected ? "conflict" : "resolution")
    }
    func gracePeriodSave() { bump("graceSave") }
    func preempted() { bump("preempted") }
    func completed(_ outcome: CompletionOutcome) { bump("completed.\(outcome.rawValue)") }
    func zombieCreated(_ reason: ZombieReason) { bump("zombie.\(reason.rawValue)") }
}

/// Collects decisions delivered through completions.
final class DecisionBox: Sendable {
    private let decisions = Mutex<[String: Decision]>([:])
    var completion: @Sendable (Decision) -> Void { { decision in self.decisions.withLock { $0[decision.id] = decision } } }
    subscript(_ id: String) -> Decision? { decisions.withLock { $0[id] } }
    var count: Int { decisions.withLock { $0.count } }
}

/// A coordinator on a manual clock and scheduler, with staging_window 0 unless configured.
struct CoordinatorHarness {
    let clock = ManualClock()
    let scheduler: ManualScheduler
    let sink = RecordingZombieSink()
    let events = CountingCoordinatorObserver()
    let coordinator: Coordinator
    let decisions = DecisionBox()

    init(_ configure: (inout CoordinatorConfig) -> Void = { _ in }) {
        var config = CoordinatorConfig()
        config.stagingWindow = .zero
        configure(&config)
        scheduler = ManualScheduler(clock: clock)
        coordinator = Coordinator(config: config, clock: clock, scheduler: scheduler, zombies: sink, observer: events)
    }

    /// Submits and returns the decision if it was made at once (staging_window 0).
    @discardableResult
    func submit(_ request: OperationRequest) throws(SextonError) -> Decision? {
        try coordinator.submit(request, completion: decisions.completion)
        return request.id.flatMap { decisions[$0] }
    }

    @discardableResult
    func submit(
        _ id: String, on target: String = "t", _ priority: Priority = .normal, expectedVersion: Int? = nil,
        parent: String? = nil
    ) throws(SextonError) -> Decision? {
        try submit(OperationRequest(
            id: id, target: target, priority: priority, parent: parent, expectedVersion: expectedVersion))
    }

    /// Submits an operation that must be admitted, and starts it.
    func admitAndStart(_ id: String, on target: String = "t", _ priority: Priority = .normal) throws {
        let decision = try #require(try submit(id, on: target, priority))
        #expect(decision.isAdmitted)
        try coordinator.start(id)
    }

    func advance(_ duration: Duration) { clock.advance(by: duration) }

    func status(_ id: String) -> OperationStatus? { coordinator.operation(id)?.status }
}

/// The three accounting identities of CONTRACT §2.3.
func expectIdentities(_ snapshot: CoordinatorSnapshot, zombiesHandedOut: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    let s = snapshot
    #expect(s.submitted == s.staged + s.admitted + s.rejectedInStaging, sourceLocation: sourceLocation)
    #expect(s.admitted == s.active + s.succeeded + s.failed + s.preempted + s.expired + s.cancelled, sourceLocation: sourceLocation)
    #expect(s.zombiesCreated == s.zombiesInRegistry + s.zombiesRemoved, sourceLocation: sourceLocation)
    #expect(s.zombiesCreated == zombiesHandedOut, sourceLocation: sourceLocation)
}

func expectConflict(
    _ status: OperationStatus, reason: String? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws(SextonError) -> Void
) {
    do {
        try body()
        Issue.record("expected a conflict", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == .conflict, sourceLocation: sourceLocation)
        #expect(error.operationStatus == status, sourceLocation: sourceLocation)
        #expect(error.operationReason == reason, sourceLocation: sourceLocation)
    }
}

func expectSextonError(_ code: ErrorCode, field: String? = nil, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws(SextonError) -> Void) {
    do {
        try body()
        Issue.record("expected \(code)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == code, sourceLocation: sourceLocation)
        if let field { #expect(error.field == field, sourceLocation: sourceLocation) }
    }
}
