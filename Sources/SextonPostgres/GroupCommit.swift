import Synchronization

/// Calls that arrive while a round trip is under way go together in the next one, the way a
/// database commits a group: a replica makes one round trip for all of its concurrent
/// submissions (graphile-worker's batching), so the database and the replica's CPU see one
/// statement where they saw one per submission. An idle replica's call goes at once.
final class GroupCommit<Input: Sendable, Output: Sendable>: Sendable {
    /// Answers each input, in order, or throws for all of them.
    typealias Flush = @Sendable ([Input]) async throws -> [Result<Output, any Error>]

    private struct Waiting {
        var input: Input
        var continuation: CheckedContinuation<Output, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var flushing = 0
    }

    private let state = Mutex(State())
    /// Round trips under way at once: one to fill while another is in flight.
    private let concurrency: Int
    /// Inputs in one round trip at most, so that one statement stays small.
    private let limit: Int
    private let flush: Flush

    init(concurrency: Int = 2, limit: Int = 500, flush: @escaping Flush) {
        self.concurrency = concurrency
        self.limit = limit
        self.flush = flush
    }

    func callAsFunction(_ input: Input) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let starts = state.withLock { s in
                s.waiting.append(Waiting(input: input, continuation: continuation))
                guard s.flushing < concurrency else { return false }
                s.flushing += 1
                return true
            }
            if starts { Task { await self.drain() } }
        }
    }

    /// Calls waiting for a flush to take them.
    var waiting: Int { state.withLock { $0.waiting.count } }

    private func drain() async {
        while let group = next() {
            do {
                let results = try await flush(group.map(\.input))
                precondition(results.count == group.count, "a flush answers each input")
                for (waiting, result) in zip(group, results) { waiting.continuation.resume(with: result) }
            } catch {
                for waiting in group { waiting.continuation.resume(throwing: error) }
            }
        }
    }

    /// The next group, or nil (and one flusher fewer) when nobody waits.
    private func next() -> [Waiting]? {
        state.withLock { s in
            guard !s.waiting.isEmpty else {
                s.flushing -= 1
                return nil
            }
            let count = min(s.waiting.count, limit)
            defer { s.waiting.removeFirst(count) }
            return Array(s.waiting.prefix(count))
        }
    }
}
