import SextonCore
import Synchronization
import Testing

@Suite struct CoordinatorEmbeddingTests {
    final class Sleeps: Sendable {
        let delays = Mutex<[Duration]>([])
        var all: [Duration] { delays.withLock { $0 } }
    }

    private func policy(_ sleeps: Sleeps, onSleep: @escaping @Sendable (Int) -> Void = { _ in }) -> ConflictRetryPolicy {
        var policy = ConflictRetryPolicy()
        policy.random = { 0 }
        policy.sleep = { delay in
            let count = sleeps.delays.withLock { $0.append(delay); return $0.count }
            onSleep(count)
        }
        return policy
    }

    @Test func runsTheBodyOnlyWhenAdmittedAndReportsSuccess() async throws {
        let h = CoordinatorHarness()
        let value = try await h.coordinator.withConflictResolution(target: "t", priority: .high) { decision in
            #expect(h.status(decision.id) == .executing)
            return decision.id
        }
        #expect(h.status(value) == .succeeded)
        #expect(h.coordinator.target("t").version == 1)
    }

    @Test func retriesBusyTargetsWithBackoff() async throws {
        let h = CoordinatorHarness()
        try h.admitAndStart("holder")
        let sleeps = Sleeps()
        let coordinator = h.coordinator
        let id = try await coordinator.withConflictResolution(
            target: "t", retries: policy(sleeps) { count in
                if count == 3 { try? coordinator.complete("holder", outcome: .succeeded) }
            }
        ) { $0.id }
        #expect(sleeps.all == [.milliseconds(5), .microseconds(7500), .microseconds(11_250)])
        let view = try #require(h.coordinator.operation(id))
        #expect(view.status == .succeeded)
        #expect(view.retryCount == 3)
        let previous = try #require(view.retryOf)
        #expect(h.coordinator.operation(previous)?.reason == .gracePeriod)
        #expect(h.coordinator.operation(previous)?.retryCount == 2)
    }

    @Test func givesUpAfterMaxRetries() async throws {
        let h = CoordinatorHarness()
        try h.admitAndStart("holder")
        let sleeps = Sleeps()
        await #expect(throws: OperationRejected.self) {
            try await h.coordinator.withConflictResolution(target: "t", retries: policy(sleeps)) { _ in }
        }
        #expect(sleeps.all.count == 10)
        #expect(h.coordinator.snapshot().rejectedInStaging == 11)
    }

    @Test func doesNotRetryOtherReasons() async throws {
        let h = CoordinatorHarness { $0.protectExecuting = true; $0.gracePeriod = .zero }
        try h.admitAndStart("holder")
        let sleeps = Sleeps()
        do {
            try await h.coordinator.withConflictResolution(target: "t", retries: policy(sleeps)) { _ in }
            Issue.record("expected a rejection")
        } catch let rejection as OperationRejected {
            #expect(rejection.attempts == 1)
            #expect(rejection.decision.reason == .executingProtected)
        }
        #expect(sleeps.all.isEmpty)
    }

    @Test func aThrowingBodyFailsTheOperation() async throws {
        struct Boom: Error {}
        let h = CoordinatorHarness()
        await #expect(throws: Boom.self) {
            try await h.coordinator.withConflictResolution(target: "t") { _ in throw Boom() }
        }
        #expect(h.sink.all.map(\.reason) == [.failed])
        #expect(h.coordinator.snapshot().failed == 1)
    }

    @Test func jitterShortensTheDelayByUpToItsShare() {
        var policy = ConflictRetryPolicy()
        policy.random = { 0.999 }
        #expect(policy.delay(beforeRetry: 1) > .microseconds(2500))
        #expect(policy.delay(beforeRetry: 1) < .microseconds(2510))
        policy.random = { 0 }
        #expect(policy.delay(beforeRetry: 2) == .microseconds(7500))
    }
}
