import Foundation
import Testing

/// The API's smoke test on the real binary and socket; `APITests` covers every route in-process.
@Suite struct APIBinaryTests {
    static let resolveAtOnce = ["--coordinator-staging-window", "0s"]

    @Test func submitAdmitsWithExactlyTheContractFields() throws {
        let sexton = try SextonProcess(Self.resolveAtOnce)
        let reply = try sexton.submit("orders/42", ["id": "op-1", "priority": "high", "target_type": "order", "op_type": "resize"])
        #expect(reply.status == 200)
        #expect(reply.header("Content-Type") == "application/json")
        let body = reply.json
        #expect(body["id"] as? String == "op-1")
        #expect(body["status"] as? String == "admitted")
        #expect(body["target"] as? String == "orders/42")
        #expect(body["target_version"] as? Int == 0)
        let ecsID = try #require(body["ecs_id"] as? String)
        #expect(ecsID.wholeMatch(of: /[0-9]+v[0-9]+/) != nil, "ecs_id \(ecsID)")
        #expect(body["lease_timeout_seconds"] as? Double == 30)
        #expect(Set(body.keys) == ["id", "status", "ecs_id", "target", "target_version", "lease_timeout_seconds"])
    }
}
