import ServiceLifecycle
import Synchronization

/// One of the core's loops (its `run()`, until cancelled) as a service: graceful shutdown
/// cancels it. It counts as alive until it has ended, so `/livez` tells a loop that died.
final class BackgroundWork: Service, Sendable {
    let name: String
    private let body: @Sendable () async -> Void
    private let ended = Atomic(false)

    init(_ name: String, _ body: @escaping @Sendable () async -> Void) {
        self.name = name
        self.body = body
    }

    var isAlive: Bool { !ended.load(ordering: .acquiring) }

    /// Runs the loop until the calling task is cancelled.
    func work() async {
        await body()
        ended.store(true, ordering: .releasing)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown { await self.work() }
    }
}
