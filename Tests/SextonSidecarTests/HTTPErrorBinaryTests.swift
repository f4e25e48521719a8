import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The server's own refusals on the real binary (CONTRACT §5): unknown paths, wrong methods,
/// bodies too large or of the wrong type, each in the JSON error shape on the API listener.
@Suite struct HTTPErrorBinaryTests {
    @Test func unknownPathsAre404InTheErrorShape() throws {
        let sexton = try SextonProcess()
        let reply = try sexton.get("/v2/nothing")
        #expect(reply.status == 404)
        #expect(reply.header("Content-Type") == "application/json")
        let error = try #require(reply.json["error"] as? [String: Any])
        #expect(error["code"] as? String == "not_found")
        #expect((error["message"] as? String)?.isEmpty == false)
        #expect(try sexton.get("/nothing", on: .telemetry).status == 404)
    }

    @Test func wrongMethodsAre405WithAllow() throws {
        let sexton = try SextonProcess()
        let cases: [(method: String, path: String, allow: String)] = [
            ("GET", "/v1/batches", "POST"),
            ("PUT", "/v1/operations/abc", "DELETE, GET, HEAD"),
            ("GET", "/v1/operations/abc/start", "POST"),
            ("POST", "/v1/zombies", "GET, HEAD"),
            ("GET", "/admin/cleanup", "POST"),
        ]
        for (method, path, allow) in cases {
            let reply = try sexton.call(method, path)
            #expect(reply.status == 405, "\(method) \(path)")
            #expect(reply.header("Allow") == allow, "\(method) \(path)")
            #expect((reply.json["error"] as? [String: Any])?["code"] as? String == "method_not_allowed")
        }
        let posted = try HTTPClient.request("POST", sexton.telemetry, "/metrics", body: [])
        #expect(posted.status == 405)
        #expect(posted.header("Allow") == "GET, HEAD")
    }

    /// The declared length alone is enough: the server answers before any body byte arrives.
    @Test func aDeclaredBodyOverTheLimitIs413WithoutSendingIt() throws {
        let sexton = try SextonProcess(["--limits-max-body-bytes", "1024"])
        let connection = try RawHTTPConnection(sexton.api)
        let head = "POST /v1/operations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n"
        try connection.send(head)
        let reply = try connection.readResponse()
        #expect(reply.status == 413)
        #expect((reply.json["error"] as? [String: Any])?["code"] as? String == "payload_too_large")
        #expect(try sexton.metrics().value("sexton_operations_submitted_total") == 0)
    }

    /// CONTRACT §5: 413 whether the body is sent with Content-Length or chunked (here the
    /// default 64 KiB limit and a 200 KiB chunked body, as `curl -T -` sends one).
    @Test func aChunkedBodyOverTheLimitIs413() throws {
        let sexton = try SextonProcess()
        let connection = try RawHTTPConnection(sexton.api)
        try connection.send("POST /v1/operations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunk = "{\"target\":\"" + String(repeating: "x", count: 8192)
        for _ in 0..<25 { try connection.send("\(String(chunk.utf8.count, radix: 16))\r\n\(chunk)\r\n") }
        try connection.send("0\r\n\r\n")
        let reply = try connection.readResponse()
        #expect(reply.status == 413)
        #expect((reply.json["error"] as? [String: Any])?["code"] as? String == "payload_too_large")
        #expect(try sexton.metrics().value("sexton_operations_submitted_total") == 0)
        #expect(try sexton.submit("after").status == 200)
    }

    @Test func aBodyOverTheLimitIs413AndOneUnderItIsServed() throws {
        let sexton = try SextonProcess(["--limits-max-body-bytes", "1024", "--coordinator-staging-window", "0s"])
        let big = try sexton.submit(String(repeating: "x", count: 200), ["op_type": String(repeating: "y", count: 1000)])
        #expect(big.status == 413)
        #expect((big.json["error"] as? [String: Any])?["code"] as? String == "payload_too_large")
        #expect(try sexton.submit("small").status == 200)
    }

    @Test func aBodyOfAnotherTypeIs415() throws {
        let sexton = try SextonProcess()
        for type in ["text/plain", "application/x-www-form-urlencoded", "application/jsonx"] {
            let reply = try HTTPClient.request(
                "POST", sexton.api, "/v1/operations", headers: [("Content-Type", type)], body: Array(#"{"target":"t"}"#.utf8))
            #expect(reply.status == 415, "\(type)")
            #expect((reply.json["error"] as? [String: Any])?["code"] as? String == "unsupported_media_type")
        }
        // Parameters of the JSON type are fine.
        let charset = try HTTPClient.request(
            "POST", sexton.api, "/v1/operations/none/start", headers: [("Content-Type", "application/json; charset=utf-8")],
            body: Array("{}".utf8))
        #expect(charset.status == 404)
    }
}
