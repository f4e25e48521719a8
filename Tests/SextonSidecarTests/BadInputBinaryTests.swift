import Foundation
import Testing

/// Bad input on the real binary (CONTRACT §2.1, §5): the exact status and error code, never a
/// 5xx, the process still serving, and no operation counter moved.
@Suite struct BadInputBinaryTests {
    struct Case: CustomStringConvertible {
        var description: String
        var method = "POST"
        var path = "/v1/operations"
        var body: String?
        var contentType: String? = "application/json"
        var status: Int
        var code: String
        var field: String?
    }

    static func submit(_ description: String, _ body: String, field: String?, code: String = "invalid_argument") -> Case {
        Case(description: description, body: body, status: 400, code: code, field: field)
    }

    static let tooLongID = String(repeating: "a", count: 129)

    static let stateless: [Case] = [
        submit("malformed JSON", #"{"target":"#, field: nil, code: "invalid_json"),
        submit("JSON that is not an object", "[1,2]", field: nil, code: "invalid_json"),
        Case(description: "no body at all", body: nil, contentType: nil, status: 400, code: "invalid_json"),
        submit("target of the wrong type", #"{"target":5}"#, field: "target"),
        submit("priority of the wrong type", #"{"target":"t","priority":true}"#, field: "priority"),
        submit("retry_count of the wrong type", #"{"target":"t","retry_count":"2"}"#, field: "retry_count"),
        submit("negative retry_count", #"{"target":"t","retry_count":-1}"#, field: "retry_count"),
        submit("missing target", #"{"priority":5}"#, field: "target"),
        submit("empty target", #"{"target":""}"#, field: "target"),
        submit("priority 0", #"{"target":"t","priority":0}"#, field: "priority"),
        submit("priority 11", #"{"target":"t","priority":11}"#, field: "priority"),
        submit("priority 5.5", #"{"target":"t","priority":5.5}"#, field: "priority"),
        submit("priority \"urgent\"", #"{"target":"t","priority":"urgent"}"#, field: "priority"),
        submit("id of 129 characters", #"{"target":"t","id":"\#(tooLongID)"}"#, field: "id"),
        submit("id with a space", #"{"target":"t","id":"bad id"}"#, field: "id"),
        submit("id with a slash", #"{"target":"t","id":"a/b"}"#, field: "id"),
        submit("empty id", #"{"target":"t","id":""}"#, field: "id"),
        submit("target_type with capitals", #"{"target":"t","target_type":"Disk"}"#, field: "target_type"),
        submit("target_type with a dash", #"{"target":"t","target_type":"a-b"}"#, field: "target_type"),
        submit("op_type with a space", #"{"target":"t","op_type":"a b"}"#, field: "op_type"),
        submit("negative expected_version", #"{"target":"t","expected_version":-1}"#, field: "expected_version"),
        submit("unknown field", #"{"target":"t","colour":"red"}"#, field: "colour"),
        Case(
            description: "batch with one bad member", path: "/v1/batches",
            body: #"{"operations":[{"target":"a"},{"target":"b","priority":0}]}"#, status: 400, code: "invalid_argument",
            field: "operations[1].priority"),
        Case(
            description: "empty batch", path: "/v1/batches", body: #"{"operations":[]}"#, status: 400,
            code: "invalid_argument", field: "operations"),
        Case(
            description: "body over the limit", body: #"{"target":"\#(String(repeating: "x", count: 2000))"}"#, status: 413,
            code: "payload_too_large"),
        Case(description: "wrong content type", body: #"{"target":"t"}"#, contentType: "text/plain", status: 415, code: "unsupported_media_type"),
        Case(description: "zombies limit 0", method: "GET", path: "/v1/zombies?limit=0", contentType: nil, status: 400, code: "invalid_argument", field: "limit"),
        Case(description: "zombies limit 1001", method: "GET", path: "/v1/zombies?limit=1001", contentType: nil, status: 400, code: "invalid_argument", field: "limit"),
        Case(description: "zombies limit abc", method: "GET", path: "/v1/zombies?limit=abc", contentType: nil, status: 400, code: "invalid_argument", field: "limit"),
        submit("a repeated key", #"{"target":"t","priority":"low","priority":"high"}"#, field: "priority", code: "invalid_json"),
        submit("a repeated key in a batch member", #"{"target":"t","cleanup":{"strategy":"lazy","strategy":"none"}}"#, field: "strategy", code: "invalid_json"),
        submit("priority 1e400", #"{"target":"t","priority":1e400}"#, field: "priority"),
        submit("retry_count 1e400", #"{"target":"t","retry_count":1e400}"#, field: "retry_count"),
        Case(description: "a repeated limit", method: "GET", path: "/v1/zombies?limit=5&limit=0", contentType: nil, status: 400, code: "invalid_argument", field: "limit"),
        Case(description: "a repeated target filter", method: "GET", path: "/v1/zombies?target=a&target=b", contentType: nil, status: 400, code: "invalid_argument", field: "target"),
        Case(description: "a target filter with a control character", method: "GET", path: "/v1/zombies?target=%01", contentType: nil, status: 400, code: "invalid_argument", field: "target"),
        Case(description: "a NUL target in the path", method: "GET", path: "/v1/targets/%00", contentType: nil, status: 400, code: "invalid_argument", field: "target"),
        Case(description: "a 257-character target in the path", method: "GET", path: "/v1/targets/\(String(repeating: "t", count: 257))", contentType: nil, status: 400, code: "invalid_argument", field: "target"),
        Case(description: "an id with a space in the path", method: "GET", path: "/v1/operations/bad%20id", contentType: nil, status: 400, code: "invalid_argument", field: "id"),
        Case(description: "start with a 129-character id", path: "/v1/operations/\(tooLongID)/start", contentType: nil, status: 400, code: "invalid_argument", field: "id"),
        Case(description: "get unknown id", method: "GET", path: "/v1/operations/nope", contentType: nil, status: 404, code: "not_found"),
        Case(description: "start unknown id", path: "/v1/operations/nope/start", contentType: nil, status: 404, code: "not_found"),
        Case(description: "heartbeat unknown id", path: "/v1/operations/nope/heartbeat", contentType: nil, status: 404, code: "not_found"),
        Case(description: "complete unknown id", path: "/v1/operations/nope/complete", body: #"{"outcome":"succeeded"}"#, status: 404, code: "not_found"),
        Case(description: "cancel unknown id", method: "DELETE", path: "/v1/operations/nope", contentType: nil, status: 404, code: "not_found"),
    ]

    @Test func statelessBadInputsAreRefusedExactlyAndChangeNothing() throws {
        let sexton = try SextonProcess(["--limits-max-body-bytes", "1024", "--coordinator-staging-window", "0s"])
        for bad in Self.stateless {
            let headers = bad.contentType.map { [("Content-Type", $0)] } ?? []
            let reply = try HTTPClient.request(bad.method, sexton.api, bad.path, headers: headers, body: bad.body.map { Array($0.utf8) })
            try expectRefusal(reply, status: bad.status, code: bad.code, field: bad.field, bad.description)
            #expect(sexton.process.isRunning, "\(bad)")
        }
        #expect(try sexton.get("/livez", on: .telemetry).status == 200)
        let metrics = try sexton.metrics()
        for family in [
            "sexton_operations_submitted_total", "sexton_operations_admitted_total", "sexton_operations_rejected_total",
            "sexton_operations_completed_total", "sexton_staged_operations", "sexton_registry_entities",
        ] {
            #expect(metrics.value(family) == 0, "\(family)")
        }
        // Still serving, and the first real submission is the first one counted.
        #expect(try sexton.submit("t").status == 200)
        #expect(try sexton.metrics().value("sexton_operations_submitted_total") == 1)
    }

    @Test func transitionsInTheWrongOrderAndIdReuseAreConflictsThatChangeNothing() throws {
        let sexton = try SextonProcess(["--coordinator-staging-window", "0s", "--coordinator-grace-period", "1h"])
        #expect(try sexton.submit("t", ["id": "live"]).status == 200)
        let before = try counters(sexton)

        let early = try sexton.call("POST", "/v1/operations/live/complete", ["outcome": "succeeded"])
        try expectRefusal(early, status: 409, code: "conflict", field: nil, "complete before start")
        #expect(early.json["id"] as? String == "live")
        #expect(early.json["status"] as? String == "admitted")

        let reused = try sexton.submit("elsewhere", ["id": "live"])
        try expectRefusal(reused, status: 409, code: "conflict", field: "id", "reuse of a live id")
        let oversized = try sexton.call("POST", "/v1/batches", ["operations": Array(repeating: ["target": "t"], count: 1001)])
        try expectRefusal(oversized, status: 400, code: "invalid_argument", field: "operations", "batch over 1000")
        let reusedInBatch = try sexton.call("POST", "/v1/batches", ["operations": [["id": "live", "target": "other"]]])
        #expect(reusedInBatch.status == 200)
        let member = (reusedInBatch.json["results"] as? [[String: Any]])?.first
        #expect((member?["error"] as? [String: Any])?["code"] as? String == "conflict")

        #expect(try sexton.call("POST", "/v1/operations/live/start").status == 200)
        let twice = try sexton.call("POST", "/v1/operations/live/start")
        try expectRefusal(twice, status: 409, code: "conflict", field: nil, "start twice")
        #expect(twice.json["status"] as? String == "executing")

        let outcome = try sexton.call("POST", "/v1/operations/live/complete", ["outcome": "done"])
        try expectRefusal(outcome, status: 400, code: "invalid_argument", field: "outcome", "unknown outcome")
        let noOutcome = try sexton.call("POST", "/v1/operations/live/complete", [String: Any]())
        try expectRefusal(noOutcome, status: 400, code: "invalid_argument", field: "outcome", "missing outcome")
        let extra = try sexton.call("POST", "/v1/operations/live/heartbeat", ["note": "hi"])
        try expectRefusal(extra, status: 400, code: "invalid_argument", field: "note", "unknown heartbeat field")

        #expect(try sexton.get("/v1/operations/live").json["status"] as? String == "executing")
        #expect(try counters(sexton) == before)
        #expect(try sexton.call("POST", "/v1/operations/live/complete", ["outcome": "succeeded"]).status == 200)
    }

    /// The operation counters and gauges a refused request must leave alone.
    private func counters(_ sexton: SextonProcess) throws -> [Double] {
        let metrics = try sexton.metrics()
        return [
            "sexton_operations_submitted_total", "sexton_operations_admitted_total", "sexton_operations_rejected_total",
            "sexton_operations_completed_total", "sexton_zombies_created_total", "sexton_active_operations",
            "sexton_staged_operations", "sexton_registry_entities",
        ].map { metrics.value($0) }
    }

    private func expectRefusal(_ reply: HTTPReply, status: Int, code: String, field: String?, _ what: String) throws {
        #expect(reply.status == status, "\(what): \(reply.text)")
        #expect(reply.header("Content-Type") == "application/json", "\(what)")
        let error = reply.json["error"] as? [String: Any]
        #expect(error?["code"] as? String == code, "\(what): \(reply.text)")
        #expect((error?["message"] as? String)?.isEmpty == false, "\(what)")
        #expect(error?["field"] as? String == field, "\(what): \(reply.text)")
    }
}
