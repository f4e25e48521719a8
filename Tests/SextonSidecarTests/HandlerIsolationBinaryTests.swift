import Foundation
import SextonCore
import SextonHTTP
import Synchronization
import Testing

/// A webhook receiver for the binary tests: records when each call arrived and answers as
/// `answer` says: a status at once, or never (parked until `release`).
final class WebhookReceiver: Sendable {
    enum Answer: Sendable { case status(Int), park }

    private final class Calls: Sendable {
        let state = Mutex<(arrivals: [ContinuousClock.Instant], parked: [Responder])>(([], []))
    }

    private let received = Calls()
    private let server: HTTPServer
    let url: String

    init(_ answer: @escaping @Sendable (_ call: Int) -> Answer) throws {
        var router = Router()
        let calls = received
        router.addDeferred(.post, "/hook") { _, responder in
            let call = calls.state.withLock { s in
                s.arrivals.append(.now)
                return s.arrivals.count
            }
            switch answer(call) {
            case .status(let code): responder.respond(Response(status: code, text: ""))
            case .park: calls.state.withLock { $0.parked.append(responder) }
            }
        }
        server = HTTPServer(configuration: .init(maxConnections: 200, threadPoolSize: 2), router: router)
        url = "http://\(try server.start())/hook"
    }

    var calls: Int { received.state.withLock { $0.arrivals.count } }
    var parked: Int { received.state.withLock { $0.parked.count } }
    var arrivals: [ContinuousClock.Instant] { received.state.withLock { $0.arrivals } }

    /// Answers every parked call with `status`.
    func release(_ status: Int = 204) {
        for responder in received.state.withLock({ s in defer { s.parked = [] }; return s.parked }) {
            responder.respond(Response(status: status, text: ""))
        }
    }

    func stop() async { await server.stop(gracePeriod: .zero) }
}

/// CONTRACT §3.3: a handler never delays a decision, another target or a probe.
@Suite struct HandlerIsolationBinaryTests {
    private static func customWebhook(_ url: String, timeout: String = "60s", checkInterval: String = "10s") -> String {
        """
        coordinator:
          grace_period: 0s
        cleanup:
          strategy: custom
          custom_handler: hook
          check_interval: \(checkInterval)
        handlers:
          hook:
            type: webhook
            url: \(url)
            timeout: \(timeout)
        """
    }

    /// Preempts the operation on each target: the winner's answer is the decision and must not
    /// wait for the loser's handler.
    private func preempt(_ sexton: SextonProcess, targets: [String]) throws {
        for target in targets {
            #expect(try sexton.submit(target, ["priority": "low"]).status == 200)
            let winner = try sexton.submit(target, ["priority": "high"])
            #expect(winner.status == 200, "winner on \(target): \(winner.text)")
        }
    }

    @Test(arguments: ["5ms", "0s"])
    func slowHandlersDelayNoDecisionNoOtherTargetAndNoProbe(stagingWindow: String) async throws {
        let receiver = try WebhookReceiver { _ in .park }
        let sexton = try SextonProcess(
            ["--coordinator-staging-window", stagingWindow] + calmMemoryFlags(), config: Self.customWebhook(receiver.url))
        var expected = 0
        for round in [4, 16] {
            try preempt(sexton, targets: (0..<round).map { "r\(round)-\($0)" })
            expected += round
            // Every handler of this round is now waiting on the receiver, which does not answer.
            try poll("\(expected) webhook calls parked") { receiver.parked == round }
            #expect(try sexton.submit("unrelated-\(round)").status == 200)
            let livez = try sexton.get("/livez", on: .telemetry)
            #expect(livez.status == 200 && livez.text == "ok")
            #expect(try sexton.metrics().value("sexton_zombies") == Double(round))
            receiver.release()
            try poll("the zombies of round \(round) removed") {
                let m = try sexton.metrics()
                return m.value("sexton_zombies") == 0 && m.value("sexton_zombies_cleaned_total", ["strategy": "custom"]) == Double(expected)
            }
        }
        let m = try sexton.metrics()
        #expect(m.value("sexton_zombies_created_total") == Double(expected))
        #expect(receiver.calls == expected)
        #expect(sexton.stop() == 0)
        await receiver.stop()
    }

    @Test func aWebhookThatNeverAnswersKeepsOnlyItsZombies() async throws {
        let receiver = try WebhookReceiver { _ in .park }
        let sexton = try SextonProcess(try calmMemoryFlags(), config: Self.customWebhook(receiver.url, timeout: "1s"))
        try preempt(sexton, targets: ["a", "b"])
        try poll("both webhook calls timed out", timeout: 20) {
            try sexton.metrics().value("sexton_cleanup_failures_total", ["strategy": "custom"]) >= 2
        }
        #expect(try sexton.metrics().value("sexton_zombies") == 2)
        #expect(try sexton.submit("c").status == 200)
        #expect(sexton.log.contains("timed out after 1s"), "the failure names the timeout: \(sexton.log)")
        let health = try sexton.get("/health", on: .telemetry)
        #expect(health.text.contains("\"cleanup_handlers\""))
        #expect(sexton.stop() == 0)
        receiver.release()
        await receiver.stop()
    }

    /// Retries are timed from the failure (1 s, then 2 s), not from the next pass 10 s away.
    @Test func aFailingWebhookIsRetriedOnItsBackoff() async throws {
        let receiver = try WebhookReceiver { call in .status(call <= 2 ? 500 : 204) }
        let sexton = try SextonProcess(try calmMemoryFlags(), config: Self.customWebhook(receiver.url))
        try preempt(sexton, targets: ["a"])
        try poll("the zombie removed after two failures", timeout: 20) {
            try sexton.metrics().value("sexton_zombies_cleaned_total", ["strategy": "custom"]) == 1
        }
        let arrivals = receiver.arrivals
        #expect(arrivals.count == 3)
        let first = (arrivals[1] - arrivals[0]).seconds
        let second = (arrivals[2] - arrivals[1]).seconds
        #expect(first >= 0.9 && first < 2.5, "first retry after \(first)s")
        #expect(second >= 1.9 && second < 4, "second retry after \(second)s")
        #expect(try sexton.metrics().value("sexton_cleanup_failures_total", ["strategy": "custom"]) == 2)
        #expect(sexton.stop() == 0)
        await receiver.stop()
    }

    /// An operator's purge removes every zombie whatever its handler's state, each one logged.
    @Test func aPurgeRemovesZombiesWhoseWebhookFails() async throws {
        let receiver = try WebhookReceiver { _ in .status(500) }
        let sexton = try SextonProcess(
            try calmMemoryFlags(), environment: ["SEXTON_ADMIN_TOKEN": "purge-token"], config: Self.customWebhook(receiver.url))
        try preempt(sexton, targets: ["a", "b", "c"])
        try poll("the webhook failing for every zombie") {
            try sexton.metrics().value("sexton_cleanup_failures_total", ["strategy": "custom"]) >= 3
        }
        let pass = try sexton.call("POST", "/admin/cleanup?all=true", headers: ["Authorization": "Bearer purge-token"])
        #expect(pass.status == 200, "\(pass.text)")
        #expect(pass.json["cleaned"] as? Int == 3)
        #expect((pass.json["by_strategy"] as? [String: Any])?["manual"] as? Int == 3)
        let m = try sexton.metrics()
        #expect(m.value("sexton_zombies") == 0)
        #expect(m.value("sexton_zombies_cleaned_total", ["strategy": "manual"]) == 3)
        try sexton.waitForLog("purged zombie")
        #expect(sexton.log.components(separatedBy: "purged zombie").count - 1 == 3)
        #expect(sexton.stop() == 0)
        await receiver.stop()
    }

    /// Every zombie counted as cleaned has its fsync'd line, also when SIGTERM comes mid-load.
    @Test func sigtermUnderLoadLeavesALineForEveryCleanedZombie() throws {
        let audit = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).jsonl").path
        let sexton = try SextonProcess(try calmMemoryFlags(), config: """
            coordinator:
              grace_period: 0s
            cleanup:
              strategy: custom
              custom_handler: audit
            handlers:
              audit:
                type: audit_log
                path: \(audit)
            """)
        let load = (0..<3).map { worker in
            Background { [sexton] in
                var i = 0
                while i < 10_000 {
                    let target = "w\(worker)-\(i)"
                    guard (try? sexton.submit(target, ["priority": "low"]))?.status == 200 else { return i }
                    _ = try? sexton.submit(target, ["priority": "high"])
                    i += 1
                }
                return i
            }
        }
        try poll("zombies cleaned under load") { try sexton.metrics().value("sexton_zombies_cleaned_total", ["strategy": "custom"]) >= 50 }
        #expect(sexton.stop() == 0)
        for worker in load { _ = try worker.wait() }
        let stopped = try #require(sexton.log.split(separator: "\n").first { $0.contains("stopped") })
        let cleaned = try #require(stopped.split(separator: " ").first { $0.hasPrefix("zombies_cleaned=") }.flatMap { Int($0.dropFirst(16)) })
        let lines = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n")
        let ids = Set(lines.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String
        })
        #expect(cleaned >= 50)
        #expect(ids.count == lines.count, "one line per zombie")
        #expect(lines.count >= cleaned, "\(cleaned) cleaned, \(lines.count) lines")
    }

    /// The accounting identities of CONTRACT §2.3 on `/metrics` after a concurrent mixed
    /// workload: the exported counters and the core's counts agree.
    @Test func identitiesHoldOnMetricsAfterAConcurrentWorkload() throws {
        let sexton = try SextonProcess(["--cleanup-strategy", "deferred", "--coordinator-grace-period", "0s"] + calmMemoryFlags())
        let workers = (0..<4).map { worker in
            Background { [sexton] in
                for i in 0..<60 {
                    let target = "t\(i % 5)"
                    let priority = ["low", "normal", "high", "critical"][(i + worker) % 4]
                    guard let reply = try? sexton.submit(target, ["priority": priority]), reply.status == 200,
                          let id = reply.json["id"] as? String else { continue }
                    switch (i + worker) % 5 {
                    case 0: _ = try? sexton.call("DELETE", "/v1/operations/\(id)")
                    case 1: break
                    default:
                        _ = try? sexton.call("POST", "/v1/operations/\(id)/start")
                        _ = try? sexton.call("POST", "/v1/operations/\(id)/heartbeat")
                        let outcome = i % 3 == 0 ? "failed" : "succeeded"
                        _ = try? sexton.call("POST", "/v1/operations/\(id)/complete", ["outcome": outcome])
                    }
                }
                return 0
            }
        }
        for worker in workers { _ = try worker.wait(timeout: 60) }
        let m = try sexton.metrics()
        func sum(_ name: String, _ labels: [String: String] = [:]) -> Double { m.value(name, labels) }
        let submitted = sum("sexton_operations_submitted_total")
        let admitted = sum("sexton_operations_admitted_total")
        #expect(submitted == 240)
        #expect(submitted == sum("sexton_staged_operations") + admitted + sum("sexton_operations_rejected_total", ["stage": "staging"]))
        #expect(admitted == sum("sexton_active_operations") + sum("sexton_operations_completed_total") + sum("sexton_preemptions_total"))
        let created = sum("sexton_zombies_created_total")
        #expect(created > 0)
        #expect(created == sum("sexton_preemptions_total") + sum("sexton_operations_completed_total", ["outcome": "failed"])
            + sum("sexton_operations_completed_total", ["outcome": "expired"]))
        #expect(created == sum("sexton_zombies") + sum("sexton_zombies_cleaned_total"))
        #expect(sexton.stop() == 0)
    }
}
