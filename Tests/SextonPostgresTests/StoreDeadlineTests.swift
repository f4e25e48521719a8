import Dispatch
import SextonPostgres
import Synchronization
import Testing

private final class Flag: Sendable {
    private let value = Atomic(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

/// A wait that ignores task cancellation, as a query on a connection the server cut does.
private func deafWait(_ seconds: Double, then finished: Flag) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            finished.set()
            continuation.resume()
        }
    }
}

@Suite struct StoreDeadlineTests {
    @Test func aBodyThatIgnoresCancellationDoesNotHoldTheAnswerPastTheDeadline() async throws {
        let finished = Flag()
        await #expect(throws: StoreDeadlineExceeded.self) {
            try await withDeadline(.milliseconds(50)) {
                await deafWait(3, then: finished)
                return 1
            }
        }
        #expect(!finished.isSet, "the answer waited for the body")
    }

    @Test func aBodyInTimeAnswersWithItsValueOrItsError() async throws {
        #expect(try await withDeadline(.seconds(10)) { 42 } == 42)
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await withDeadline(.seconds(10)) { () async throws -> Int in throw Refused() } }
    }

    @Test func cancellingTheCallerAnswersAtOnce() async throws {
        let finished = Flag()
        let call = Task {
            try await withDeadline(.seconds(30)) {
                await deafWait(3, then: finished)
                return 1
            }
        }
        call.cancel()
        await #expect(throws: CancellationError.self) { _ = try await call.value }
        #expect(!finished.isSet)
    }
}
