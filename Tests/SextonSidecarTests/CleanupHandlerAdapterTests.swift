import Foundation
import SextonCore
import SextonHTTP
import Synchronization
import Testing
@testable import SextonSidecar

private let zombie = Zombie(
    operationID: "op-1", entity: EntityID(index: 7, generation: 2), target: "order/42", targetType: "order",
    opType: "update", priority: .high, retryCount: 0, status: .rejected, reason: .preempted,
    admittedAt: Timestamp(nanoseconds: 1_800_000_000_000_000_000), endedAt: Timestamp(nanoseconds: 1_800_000_001_500_000_000),
    cleanup: nil)
private let cleanedAt = Timestamp(nanoseconds: 1_800_000_060_000_000_000)

/// The built-in handlers of CONTRACT §3.3, against a real file and a real HTTP server.
@Suite struct CleanupHandlerAdapterTests {
    @Test func auditLogAppendsOneJSONLinePerZombieWithEveryField() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).jsonl").path
        let handler = AuditLogHandler(path: path, retention: .zero)
        try handler.handle(zombie, strategy: .deferred, cleanedAt: cleanedAt)
        try handler.handle(zombie, strategy: .manual, cleanedAt: cleanedAt)
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

    @Test func auditLogThatCannotBeWrittenFails() {
        let handler = AuditLogHandler(path: "/nonexistent-dir/audit.jsonl", retention: .zero)
        #expect(throws: HandlerError.self) { try handler.handle(zombie, strategy: .immediate, cleanedAt: cleanedAt) }
    }

    /// A local server answering `status`, recording what it was sent.
    private final class Received: Sendable {
        let bodies = Mutex<[[UInt8]]>([])
    }

    private func receiver(status: Int) throws -> (HTTPServer, String, Received) {
        let received = Received()
        var router = Router()
        router.add(.post, "/hook") { request in
            received.bodies.withLock { $0.append(request.body) }
            return Response(status: status, text: "")
        }
        let server = HTTPServer(router: router)
        let address = try server.start()
        return (server, "http://\(address)/hook", received)
    }

    @Test func webhookPostsTheZombieAndSucceedsOn2xx() throws {
        let (server, url, received) = try receiver(status: 204)
        defer { server.stop(gracePeriod: .zero) }
        let handler = WebhookHandler(config: WebhookConfig(url: url, timeout: .seconds(5)), retention: .zero)
        try handler.handle(zombie, strategy: .custom, cleanedAt: cleanedAt)
        let bodies = received.bodies.withLock { $0 }
        #expect(bodies.count == 1)
        let record = try #require(JSONSerialization.jsonObject(with: Data(bodies[0])) as? [String: Any])
        #expect(record["id"] as? String == "op-1")
        #expect(record["strategy"] as? String == "custom")
    }

    @Test func webhookFailsOnAnErrorStatusAndOnNoServer() throws {
        let (server, url, _) = try receiver(status: 500)
        defer { server.stop(gracePeriod: .zero) }
        let failing = WebhookHandler(config: WebhookConfig(url: url, timeout: .seconds(5)), retention: .zero)
        #expect(throws: HandlerError.self) { try failing.handle(zombie, strategy: .custom, cleanedAt: cleanedAt) }
        let unreachable = WebhookHandler(config: WebhookConfig(url: "http://127.0.0.1:1/hook", timeout: .seconds(2)), retention: .zero)
        #expect(throws: HandlerError.self) { try unreachable.handle(zombie, strategy: .custom, cleanedAt: cleanedAt) }
    }
}
