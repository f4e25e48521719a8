import Foundation
import Testing

/// CONTRACT §5: no client can starve the others or the probes.
@Suite struct ConnectionLimitBinaryTests {
    /// A TCP connection from `source` (a loopback address of its own) to `port` on 127.0.0.1.
    private func connect(from source: String, to port: Int) throws -> RawHTTPConnection {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError("socket: \(errno)") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        func address(_ host: String, _ port: Int) -> sockaddr_in {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, host, &a.sin_addr)
            return a
        }
        var local = address(source, 0)
        var remote = address("127.0.0.1", port)
        let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        let connected = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, connected == 0 else {
            close(fd)
            throw ClientError("cannot connect from \(source): \(errno)")
        }
        return RawHTTPConnection(adopting: fd)
    }

    private func get(_ path: String, from source: String, port: Int) throws -> HTTPReply {
        let connection = try connect(from: source, to: port)
        try connection.send("GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        return try connection.readResponse()
    }

    @Test func aFloodOfIdleConnectionsFromOneAddressDoesNotStarveTheProbes() throws {
        let sexton = try SextonProcess([
            "--listen-telemetry", "0.0.0.0:0", "--listen-api", "0.0.0.0:0", "--limits-max-connections", "50",
            "--coordinator-staging-window", "0s",
        ] + calmMemoryFlags())
        let telemetry = Int(sexton.telemetry.split(separator: ":").last!)!
        let api = Int(sexton.api.split(separator: ":").last!)!
        // 60 idle connections from 127.0.0.1: past 32 the telemetry listener turns them away.
        var flood: [RawHTTPConnection] = []
        for _ in 0..<60 {
            if let connection = try? connect(from: "127.0.0.1", to: telemetry) { flood.append(connection) }
        }
        for path in ["/livez", "/readyz"] {
            let reply = try get(path, from: "127.0.0.2", port: telemetry)
            #expect(reply.status == 200 && reply.text == "ok", "\(path): \(reply.status)")
        }
        let connection = try connect(from: "127.0.0.2", to: api)
        let body = #"{"target":"from-elsewhere"}"#
        try connection.send("POST /v1/operations HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        #expect(try connection.readResponse().status == 200)
        #expect(sexton.process.isRunning)
        withExtendedLifetime(flood) {}
    }

    /// A client trickling 4 bytes a second keeps MHD's idle timer happy but never finishes its
    /// request: it is closed once `connection_timeout` has passed since it connected.
    @Test(arguments: [SextonProcess.Listener.api, .telemetry])
    func aTricklingClientIsClosedWithinTheConnectionTimeout(listener: SextonProcess.Listener) throws {
        let sexton = try SextonProcess(["--limits-connection-timeout", "2s"])
        let connection = try RawHTTPConnection(sexton.address(listener))
        let request = Array("GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: \(String(repeating: "y", count: 60))\r\n\r\n".utf8)
        let opened = Date()
        var sent = 0
        var closed = false
        while sent < request.count && Date().timeIntervalSince(opened) < 10 {
            if (try? connection.send(Array(request[sent..<min(sent + 4, request.count)]))) == nil { closed = true; break }
            sent += 4
            if connection.isReadable(within: 1000) { closed = true; break }
        }
        let lasted = Date().timeIntervalSince(opened)
        #expect(closed, "still open after \(lasted) s and \(sent) bytes")
        #expect(lasted >= 1.5 && lasted < 4, "closed after \(lasted) s")
        #expect(sent < request.count)
        #expect(try sexton.get("/livez", on: .telemetry).status == 200)
    }

    /// The deadline runs from the last answer on a kept-alive connection: a client that is idle
    /// for less than the timeout between requests keeps its connection.
    @Test func aKeptAliveConnectionGetsAFreshDeadlineAfterEachAnswer() throws {
        let sexton = try SextonProcess(["--limits-connection-timeout", "2s"])
        let connection = try RawHTTPConnection(sexton.telemetry)
        for _ in 0..<3 {
            try connection.send("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try connection.readResponse().status == 200)
            Thread.sleep(forTimeInterval: 1.2)
        }
    }

    @Test func theLimitPerClientIsValidated() throws {
        let run = try SextonProcess.run(["check-config", try temporaryFile("limits:\n  max_connections_per_client: 0\n")])
        #expect(run.code == 2)
        #expect(run.output.contains("limits.max_connections_per_client") && run.output.contains("1–100000"), "\(run.output)")
    }
}
