import DequeModule
import Synchronization

/// Claims whose handler must run before their zombie is removed, waiting for one of the
/// engine's handler workers (CONTRACT §3.3: handlers never run on the path that resolves a
/// batch or answers a request). A worker parks here while it is empty; a push hands each new
/// claim straight to an idle worker when there is one.
final class HandlerQueue: Sendable {
    private struct State {
        var claims = Deque<Claim>()
        var idle: [(id: UInt64, continuation: CheckedContinuation<Claim?, Never>)] = []
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Claims waiting for a worker (part of the cleanup backlog).
    var count: Int { state.withLock { $0.claims.count } }

    func push(_ claims: [Claim]) {
        guard !claims.isEmpty else { return }
        let handOffs = state.withLock { s -> [(CheckedContinuation<Claim?, Never>, Claim)] in
            var handOffs: [(CheckedContinuation<Claim?, Never>, Claim)] = []
            for claim in claims {
                if let waiter = s.idle.popLast() {
                    handOffs.append((waiter.continuation, claim))
                } else {
                    s.claims.append(claim)
                }
            }
            return handOffs
        }
        for (continuation, claim) in handOffs { continuation.resume(returning: claim) }
    }

    /// The next claim, waiting for one; nil once the calling task is cancelled.
    func next() async -> Claim? {
        let id = state.withLock { s in
            s.nextWaiter += 1
            return s.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Claim?, Never>) in
                let ready = state.withLock { s -> Claim?? in
                    if Task.isCancelled { return .some(nil) }
                    if let claim = s.claims.popFirst() { return .some(claim) }
                    s.idle.append((id, continuation))
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { s in
                s.idle.firstIndex { $0.id == id }.map { s.idle.remove(at: $0).continuation }
            }
            waiter?.resume(returning: nil)
        }
    }

    /// Everything queued, taken at once (a caller that runs the handlers itself).
    func takeAll() -> [Claim] {
        state.withLock { s in
            defer { s.claims.removeAll() }
            return Array(s.claims)
        }
    }
}
