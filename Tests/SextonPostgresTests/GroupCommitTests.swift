import Synchronization
import Testing

@testable import SextonPostgres

/// Calls that arrive while a round trip is under way form the next group; each caller hears its
/// own answer, and a failed round fails every caller in it.
@Suite struct GroupCommitTests {
    /// Holds each flush until released, recording the groups it saw.
    final class Gate: Sendable {
        let groups = Mutex<[[Int]]>([])
        let open = Mutex(false)

        func flush(_ inputs: [Int]) async throws -> [Result<Int, any Error>] {
            groups.withLock { $0.append(inputs) }
            while !open.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
            if inputs.contains(13) { throw Unlucky() }
            return inputs.map { $0 % 2 == 0 ? .success($0 * 10) : .failure(Odd(value: $0)) }
        }
    }

    struct Unlucky: Error {}
    struct Odd: Error { let value: Int }

    @Test func callsThatArriveDuringAFlushGoTogetherInTheNext() async throws {
        let gate = Gate()
        let commit = GroupCommit<Int, Int>(concurrency: 1, limit: 100) { try await gate.flush($0) }
        let results = await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
            group.addTask { (0, await Result { try await commit(0) }) }
            // The first flush is under way (holding 0) before the others call.
            while gate.groups.withLock({ $0.isEmpty }) { try? await Task.sleep(for: .milliseconds(1)) }
            for value in 1...8 { group.addTask { (value, await Result { try await commit(value) }) } }
            while commit.waiting < 8 { try? await Task.sleep(for: .milliseconds(1)) }
            gate.open.withLock { $0 = true }
            return await group.reduce(into: [Int: Result<Int, any Error>]()) { $0[$1.0] = $1.1 }
        }
        let groups = gate.groups.withLock { $0 }
        #expect(groups.first == [0])
        #expect(groups.dropFirst().flatMap { $0 }.sorted() == Array(1...8))
        #expect(groups.count == 2)
        for (value, result) in results {
            switch result {
            case .success(let answer): #expect(value % 2 == 0 && answer == value * 10)
            case .failure(let error): #expect((error as? Odd)?.value == value)
            }
        }
    }

    @Test func aFailedFlushFailsEveryCallerInItsGroupOnly() async throws {
        let gate = Gate()
        gate.open.withLock { $0 = true }
        let commit = GroupCommit<Int, Int>(concurrency: 1, limit: 2) { try await gate.flush($0) }
        await #expect(throws: Unlucky.self) { try await commit(13) }
        #expect(try await commit(4) == 40)
    }

    @Test func aGroupHoldsAtMostTheLimit() async throws {
        let gate = Gate()
        let commit = GroupCommit<Int, Int>(concurrency: 1, limit: 3) { try await gate.flush($0) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = try? await commit(0) }
            while gate.groups.withLock({ $0.isEmpty }) { try? await Task.sleep(for: .milliseconds(1)) }
            for value in 1...7 { group.addTask { _ = try? await commit(value) } }
            while commit.waiting < 7 { try? await Task.sleep(for: .milliseconds(1)) }
            gate.open.withLock { $0 = true }
        }
        let groups = gate.groups.withLock { $0 }
        #expect(groups.map(\.count).max() == 3)
        #expect(groups.flatMap { $0 }.sorted() == Array(0...7))
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
