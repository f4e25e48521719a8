import Foundation
import SextonCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The process as an orchestrator sees it (CONTRACT §1): signals, ports, hostile clients.
@Suite struct ServeBinaryTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func aSignalShutsDownCleanly(signal: Int32) throws {
        let sexton = try SextonProcess()
        #expect(try sexton.get("/livez", on: .telemetry).status == 200)
        #expect(sexton.stop(signal: signal) == 0)
        #expect(sexton.log.contains("stopped"))
    }

    /// While an operation waits for its batch, SIGTERM turns readiness off at once; the waiting
    /// request still gets its decision, and the process then exits 0.
    @Test func shutdownDrainsInFlightRequestsWhileReadinessFails() throws {
        let sexton = try SextonProcess(["--coordinator-staging-window", "2s"])
        let held = Background { try sexton.submit("t1", ["id": "in-flight"]) }
        try poll("the submission to be staged") { try sexton.metrics().value("sexton_staged_operations") == 1 }
        // A kept-alive connection, opened before the signal, is how a new operation still
        // reaches a listener that no longer accepts connections.
        let kept = try RawHTTPConnection(sexton.api)
        try kept.send("GET /v1/zombies HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try kept.readResponse().status == 200)

        kill(sexton.process.processIdentifier, SIGTERM)
        try poll("readyz to fail") { try sexton.get("/readyz", on: .telemetry).status == 503 }
        let ready = try sexton.get("/readyz?verbose", on: .telemetry)
        #expect(ready.text.contains("[-]shutdown failed"))
        #expect(try sexton.get("/livez", on: .telemetry).status == 200)

        let late = #"{"target":"t2"}"#
        try kept.send("POST /v1/operations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(late.utf8.count)\r\n\r\n\(late)")
        let refused = try kept.readResponse()
        #expect(refused.status == 503)
        #expect((refused.json["error"] as? [String: Any])?["code"] as? String == "shutting_down")
        #expect(refused.header("Retry-After") != nil)

        let answer = try held.wait()
        #expect(answer.status == 200)
        #expect(answer.json["id"] as? String == "in-flight")
        #expect(answer.json["status"] as? String == "admitted")
        #expect(sexton.stop() == 0)
    }

    @Test func aPortInUseIsAnErrorNamingTheAddressWithExitCode2() throws {
        let holder = try ListeningSocket()
        defer { close(holder.fd) }
        let address = "127.0.0.1:\(holder.port)"
        let run = try SextonProcess.run(["serve", "--listen-api", address, "--listen-telemetry", "127.0.0.1:0"])
        #expect(run.code == 2)
        #expect(run.output.contains(address), "output: \(run.output)")
        #expect(!run.output.contains("listening api="))
    }

    /// CONTRACT §3.3: an audit log that cannot be written stops `serve` at start, naming the
    /// handler and the path; `check-config` does not open it.
    @Test(arguments: [FileManager.default.temporaryDirectory.path, "/dev/full", "/nonexistent-dir/audit.jsonl"])
    func anUnwritableAuditLogIsRefusedAtStart(path: String) throws {
        let config = try temporaryFile("""
            cleanup:
              custom_handler: audit
            handlers:
              audit:
                type: audit_log
                path: \(path)
            """)
        let run = try SextonProcess.run(["serve", "--config", config, "--listen-api", "127.0.0.1:0", "--listen-telemetry", "127.0.0.1:0"])
        #expect(run.code == 2, "\(run.output)")
        #expect(run.output.contains("handlers.audit (audit_log)") && run.output.contains(path), "\(run.output)")
        #expect(!run.output.contains("listening api="))
        #expect(try SextonProcess.run(["check-config", config]).code == 0)
    }

    @Test func aSecondSextonOnTheSamePortIsRefused() throws {
        let first = try SextonProcess()
        let run = try SextonProcess.run(["serve", "--listen-api", "127.0.0.1:0", "--listen-telemetry", first.telemetry])
        #expect(run.code == 2)
        #expect(run.output.contains(first.telemetry), "output: \(run.output)")
        #expect(try first.get("/livez", on: .telemetry).status == 200)
    }

    /// Slow clients, each dribbling a request a byte at a time, must not hold up a quick one.
    @Test func slowClientsDoNotHoldUpOthers() throws {
        let sexton = try SextonProcess()
        let request = Array("GET /livez HTTP/1.1\r\nHost: sexton\r\nConnection: close\r\n\r\n".utf8)
        let slow = (0..<4).map { _ in
            Background { () throws -> (reply: HTTPReply, finished: Date) in
                let connection = try RawHTTPConnection(sexton.telemetry)
                for byte in request {
                    try connection.send([byte])
                    Thread.sleep(forTimeInterval: 0.02)
                }
                return (try connection.readResponse(), Date())
            }
        }
        for _ in 0..<10 {
            #expect(try sexton.get("/livez", on: .telemetry).status == 200)
            #expect(try sexton.get("/v1/zombies").status == 200)
        }
        let quickDone = Date()
        for client in slow {
            let (reply, finished) = try client.wait()
            #expect(reply.status == 200)
            #expect(reply.text == "ok")
            // The quick requests were all answered while the slow ones were still being sent.
            #expect(quickDone < finished)
        }
    }

    @Test func randomBytesDoNotCrashTheProcess() throws {
        let sexton = try SextonProcess()
        var generator = SplitMix64(seed: 42)
        let garbage: [[UInt8]] = [
            (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) },
            Array("\u{0}\u{1}\u{2}GARBAGE\r\n\r\n".utf8),
            Array("GET / HTTP/9.9\r\n\r\n".utf8),
            Array("GET /livez HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n".utf8),
            Array("POST /v1/operations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n".utf8),
            Array("GET /\(String(repeating: "a", count: 100_000)) HTTP/1.1\r\n\r\n".utf8),
            Array("GET /livez HTTP/1.1\r\n\(String(repeating: "X: y\r\n", count: 5000))\r\n".utf8),
        ]
        for address in [sexton.api, sexton.telemetry] {
            for bytes in garbage {
                // Bytes with no line end leave the server waiting for a request line until its
                // connection timeout, so the answer (if any) is only waited for briefly.
                let connection = try RawHTTPConnection(address, timeout: 1)
                // The server may close early on garbage; what matters is that it survives.
                try? connection.send(bytes)
                connection.finishSending()
                _ = try? connection.readResponse()
            }
        }
        #expect(sexton.process.isRunning)
        #expect(try sexton.get("/livez", on: .telemetry).status == 200)
        #expect(try sexton.get("/v1/zombies").status == 200)
        #expect(sexton.stop() == 0)
    }
}

/// A socket bound and listening on a free loopback port, to occupy it.
struct ListeningSocket {
    let fd: Int32
    let port: UInt16

    init() throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = fd
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw ClientError("cannot occupy a port: errno \(errno)") }
        port = UInt16(bigEndian: addr.sin_port)
    }
}

