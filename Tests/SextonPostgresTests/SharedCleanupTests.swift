import Logging
import PostgresNIO
import SextonCore
import SextonPostgres
import Synchronization
import Testing

/// A handler that takes its time.
final class SlowHandler: CleanupHandler {
    let delay: Duration
    let inner = RecordingHandler()

    init(delay: Duration) { self.delay = delay }

    func handle(_ record: CleanupRecord) async throws {
        try await inner.handle(record)
        try await Task.sleep(for: delay)
    }
}

/// CONTRACT §10: zombies are shared; each is removed once and its handler runs once, again
/// only when the replica running it died before recording the outcome.
@Suite struct SharedCleanupTests {
    let logger = Logger(label: "shared-cleanup")

    @Test func passesOnTwoReplicasRemoveEachZombieOnceAndRunEachHandlerOnce() async throws {
        let logger = logger
        try await PostgresCluster.with { cluster in try await cluster.withClient(maxConnections: 8) { client in
            let schema = try #require(StoreSchema("sexton"))
            try await SchemaMigrator.migrate(client, schema: schema, logger: logger)
            var config = CleanupScenario.config(.deferred) { $0.customHandler = "h" }
            config.retention = .milliseconds(200)
            let handlers = (RecordingHandler(), RecordingHandler())
            let a = CleanupScenarioTests.sharedBench(client, schema: schema, config, handlers: ["h": handlers.0], replica: "a", logger: logger)
            let b = CleanupScenarioTests.sharedBench(client, schema: schema, config, handlers: ["h": handlers.1], replica: "b", logger: logger)
            let count = 240
            // Every other zombie has no handler (its own override), so both paths race.
            let noHandler = { var o = CleanupOverride(); o.customHandler = ""; return o }()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await a.cleanup.run() }
                group.addTask { await b.cleanup.run() }
                defer { group.cancelAll() }
                try await withThrowingTaskGroup(of: Void.self) { makers in
                    for (bench, half) in [(a, 0), (b, 1)] {
                        makers.addTask {
                            for i in stride(from: half, to: count, by: 2) {
                                try await bench.make(CleanupScenario.Made(id: "z\(i)", target: "t\(i)", cleanup: i % 4 < 2 ? noHandler : nil))
                            }
                        }
                    }
                    // Manual passes on both replicas at once, while the sweeps run.
                    makers.addTask {
                        try await Task.sleep(for: .milliseconds(300))
                        async let first = a.cleanup.runPass(trigger: .manual, dryRun: false, all: false)
                        async let second = b.cleanup.runPass(trigger: .manual, dryRun: false, all: false)
                        _ = await (first, second)
                    }
                    try await makers.waitForAll()
                }
                for _ in 0..<200 where try await !a.listed().isEmpty {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            #expect(try await a.listed().isEmpty)
            let handled = (handlers.0.calls + handlers.1.calls).map(\.0)
            let expected = (0..<count).filter { $0 % 4 >= 2 }.map { "z\($0)" }
            #expect(handled.sorted() == expected.sorted(), "each handler once: \(handled.count) calls for \(expected.count)")
            #expect(!handlers.0.calls.isEmpty && !handlers.1.calls.isEmpty, "both replicas share the handlers' work")
            #expect(a.cleanup.snapshot().zombiesCleaned + b.cleanup.snapshot().zombiesCleaned == count)
            let entities = try await client.query("SELECT count(*)::int FROM sexton.entities WHERE holder IS NOT NULL", logger: logger)
                .decode(Int.self).reduce(into: [Int]()) { $0.append($1) }
            #expect(entities == [0], "every removed zombie freed its entity")
        } }
    }

    @Test func aClaimThatRunsOutIsTakenByAnotherReplicaAndTheLateOutcomeIsDropped() async throws {
        let logger = logger
        try await PostgresCluster.with { cluster in try await cluster.withClient { client in
            let schema = try #require(StoreSchema("sexton"))
            try await SchemaMigrator.migrate(client, schema: schema, logger: logger)
            let config = CleanupScenario.config(.immediate) { $0.customHandler = "h" }
            // Replica a's handler outlasts its claim, as if a had died holding it.
            let stuck = SlowHandler(delay: .seconds(3))
            let working = RecordingHandler()
            let a = CleanupScenarioTests.sharedBench(
                client, schema: schema, config, handlers: ["h": stuck], replica: "a", claimTimeout: .seconds(1), logger: logger)
            let b = CleanupScenarioTests.sharedBench(
                client, schema: schema, config, handlers: ["h": working], replica: "b", claimTimeout: .seconds(1), logger: logger)
            let aRuns = Task { await a.cleanup.run() }
            try await a.make(CleanupScenario.Made(id: "z"))
            for _ in 0..<100 where stuck.inner.calls.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
            #expect(stuck.inner.calls.count == 1)
            // a's worker stops (a died); its handler call is still under way.
            aRuns.cancel()
            // b's pass before the claim runs out leaves it to a.
            #expect(await b.cleanup.runPass(trigger: .manual, dryRun: false, all: false).candidates == 0)
            try await Task.sleep(for: .milliseconds(1200))
            let taken = await b.cleanup.runPass(trigger: .manual, dryRun: false, all: false)
            #expect(taken.cleaned == 1)
            #expect(working.calls.map(\.0) == ["z"])
            // a's handler ends after b removed the zombie: a records nothing.
            try await Task.sleep(for: .seconds(3))
            #expect(a.cleanup.snapshot().zombiesCleaned == 0)
            #expect(stuck.inner.calls.count == 1)
            #expect(try await b.listed().isEmpty)
        } }
    }
}
