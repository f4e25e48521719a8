import Foundation
import SextonCore
import SextonHTTP
import Synchronization
import Testing
@testable import SextonSidecar

private let zombie = Zombie(
    operationID: "op-1", entity: EntityID(index: 7, generation: 2), target: "order/42", targetType: "order",
    opType: "update", priority: .high, retryCount: 0, status: .rejected, reason: .preempted,
    admittedAt: Timestamp(nanoseconds: 5_000_000_000), endedAt: Timestamp(nanoseconds: 6_500_000_000), cleanup: nil)

private func record(_ strategy: StrategyLabel) -> CleanupRecord {
    CleanupRecord(
        zombie: zombie, strategy: strategy, admittedAt: WallTime(nanosecondsSinceEpoch: 1_800_000_000_000_000_000),
        endedAt: WallTime(nanosecondsSinceEpoch: 1_800_000_001_500_000_000),
        cleanedAt: WallTime(nanosecondsSinceEpoch: 1_800_000_060_000_000_000))
}

/// The built-in handlers of CONTRACT §3.3, against a real file and a real HTTP server.
@Suite struct CleanupHandlerAdapterTests {
    @Test func auditLogAppendsOneJSONLinePerZombieWithEveryField() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).jsonl").path
        let handler = AuditLogHandler(path: path, retention: .zero)
        try await handler.handle(record(.deferred))
        try await handler.handle(record(.manual))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let record = try #require(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(Set(record.keys) == [
            "id", "ecs_id", "target", "target_type", "op_type", "priority", "status", "reason", "admitted_at",
            "ended_at", "cleaned_at", "strategy",
        ])
        #expect(record["id"] as? String == "op-1")
        #expect(record["ecs_id"] as? String == "7v2")
        #expect(record["target"] as? String == "order/42")
        #expect(record["priority"] as? Int == 8)
        #expect(record["status"] as? String == "rejected")
        #expect(record["reason"] as? String == "preempted")
        #expect(record["ended_at"] as? String == "2027-01-15T08:00:01.500Z")
        #expect(record["cleaned_at"] as? String == "2027-01-15T08:01:00.000Z")
        #expect(record["strategy"] as? String == "deferred")
    }

    @Test func auditLogThatCannotBeWrittenFails() async {
        let handler = AuditLogHandler(path: "/nonexistent-dir/audit.jsonl", retention: .zero)
        await #expect(throws: HandlerError.self) { try await handler.handle(record(.immediate)) }
    }

    /// A local server answering `status`, recording what it was sent.
    private final class Received: Sendable {
        let bodies = Mutex<[[UInt8]]>([])
    }

    /// A receiver whose `/hook` answers `status`, and whose `/silent` accepts and never answers.
    private func receiver(status: Int) throws -> (HTTPServer, String, Received) {
        let received = Received()
        var router = Router()
        router.add(.post, "/hook") { request in
            received.bodies.withLock { $0.append(request.body) }
            return Response(status: status, text: "")
        }
        router.addDeferred(.post, "/silent") { _, _ in }
        let server = HTTPServer(router: router)
        let address = try server.start()
        return (server, "http://\(address)/hook", received)
    }

    @Test func webhookPostsTheZombieAndSucceedsOn2xx() async throws {
        let (server, url, received) = try receiver(status: 204)
        let handler = WebhookHandler(config: WebhookConfig(url: url, timeout: .seconds(5)), retention: .zero)
        try await handler.handle(record(.custom))
        try await handler.handle(record(.custom))
        await server.stop(gracePeriod: .zero)
        let bodies = received.bodies.withLock { $0 }
        #expect(bodies.count == 2)
        let sent = try #require(JSONSerialization.jsonObject(with: Data(bodies[0])) as? [String: Any])
        #expect(sent["id"] as? String == "op-1")
        #expect(sent["strategy"] as? String == "custom")
        #expect(sent["cleaned_at"] as? String == "2027-01-15T08:01:00.000Z")
    }

    /// Each failure says what happened in an operator's words.
    @Test func webhookFailuresAreReadable() async throws {
        let (server, url, _) = try receiver(status: 500)
        func failure(_ url: String, timeout: Duration = .seconds(5)) async -> String? {
            let handler = WebhookHandler(config: WebhookConfig(url: url, timeout: timeout), retention: .zero)
            do {
                try await handler.handle(record(.custom))
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(await failure(url) == "webhook \(url) answered 500")
        let silent = url.replacingOccurrences(of: "/hook", with: "/silent")
        #expect(await failure(silent, timeout: .seconds(1)) == "webhook \(silent) timed out after 1s")
        #expect(await failure("http://127.0.0.1:1/hook", timeout: .seconds(2)) == "webhook http://127.0.0.1:1/hook refused the connection")
        await server.stop(gracePeriod: .zero)
    }
}
