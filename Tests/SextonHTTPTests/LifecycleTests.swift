import Foundation
import Testing
import SextonHTTP
import SextonTestSupport

@Suite struct LifecycleTests {
    private static func router(parked: ParkedResponders = ParkedResponders()) -> Router {
        var router = Router()
        router.add(.get, "/ok") { _ in Response(text: "ok") }
        router.addDeferred(.get, "/wait", parked.handler)
        return router
    }

    @Test func portInUseNamesTheAddress() async throws {
        try await withServer(Self.router()) { _, address in
            let second = HTTPServer(
                configuration: HTTPServer.Configuration(host: "127.0.0.1", port: address.port, name: "api"),
                router: Self.router()
            )
            let error = #expect(throws: HTTPServerError.self) { try second.start() }
            #expect(error?.description == "api: cannot listen on 127.0.0.1:\(address.port): Address already in use")
        }
    }

    @Test func unresolvableHostIsACleanError() async {
        let server = HTTPServer(configuration: HTTPServer.Configuration(host: "no-such-host.invalid"), router: Self.router())
        #expect(throws: HTTPServerError.self) { try server.start() }
    }

    @Test(arguments: ["127.0.0.1", "localhost", "::1", "0.0.0.0", "::"])
    func bindsHostsAndReportsTheFreePort(host: String) async throws {
        let server = HTTPServer(configuration: HTTPServer.Configuration(host: host, threadPoolSize: 1), router: Self.router())
        let address = try server.start()
        #expect(address.port > 0)
        #expect(server.boundAddress == address)
        let loopback = ["0.0.0.0": "127.0.0.1", "::": "::1"]
        let reachable = BoundAddress(host: loopback[address.host] ?? address.host, port: address.port)
        #expect(try HTTPClient.request("GET", "\(reachable)", "/ok").text == "ok")
        #expect(host != "localhost" || address.description == "127.0.0.1:\(address.port)")
        #expect(host != "::1" || address.description == "[::1]:\(address.port)")
        await server.stop()
    }

    @Test func stopWhileIdleClosesTheListener() async throws {
        let server = HTTPServer(router: Self.router())
        let address = try server.start()
        #expect(try HTTPClient.request("GET", "\(address)", "/ok").status == 200)
        await server.stop()
        await server.stop()
        #expect(server.boundAddress == nil)
        #expect(throws: ClientError.self) { try RawHTTPConnection("\(address)") }
    }

    @Test func stopLetsAWaitingRequestFinish() async throws {
        let parked = ParkedResponders()
        let server = HTTPServer(router: Self.router(parked: parked))
        let address = try server.start()
        let waiting = try RawHTTPConnection("\(address)")
        try waiting.send(HTTPClient.requestBytes("GET", "/wait"))
        let responder = try parked.next()

        let stopped = Task { await server.stop(gracePeriod: .seconds(10)) }
        while server.boundAddress != nil { await Task.yield() }
        responder.respond(Response(text: "finished"))
        let response = try waiting.readResponse()
        #expect(response.text == "finished")
        #expect(response.header("Connection") == "close")
        await stopped.value
    }

    @Test func stopAnswersAHandlerThatNeverRespondsWith503() async throws {
        let parked = ParkedResponders()
        let server = HTTPServer(router: Self.router(parked: parked))
        let address = try server.start()
        let waiting = try RawHTTPConnection("\(address)")
        try waiting.send(HTTPClient.requestBytes("GET", "/wait"))
        let responder = try parked.next()

        await server.stop(gracePeriod: .milliseconds(50))
        #expect(try waiting.readResponse().status == 503)
        responder.respond(Response(text: "too late"))
    }

    @Test func randomBytesDoNotStopTheServer() async throws {
        var generator = SystemRandomNumberGenerator()
        try await withServer(Self.router()) { _, address in
            for size in [1, 7, 100, 4096, 70_000] {
                let garbage = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let connection = try RawHTTPConnection("\(address)")
                try? connection.send(garbage)
                try? connection.send("\r\n\r\n")
                _ = try? connection.readResponse()
            }
            let halfHead = try RawHTTPConnection("\(address)")
            try halfHead.send("GET /ok HTTP/1.1\r\nHost: t\r\nX-Bad: \u{1}\u{2}\r\n\r\n")
            _ = try? halfHead.readResponse()
            #expect(try HTTPClient.request("GET", "\(address)", "/ok").text == "ok")
        }
    }

    @Test func idleConnectionIsClosedAfterTheTimeout() async throws {
        let configuration = HTTPServer.Configuration(connectionTimeout: .seconds(1), threadPoolSize: 1)
        try await withServer(Self.router(), configuration: configuration) { _, address in
            let idle = try RawHTTPConnection("\(address)")
            try idle.send("GET /ok HTTP/1.1\r\n")
            let opened = ContinuousClock.now
            #expect(idle.isClosedByPeer())
            #expect(ContinuousClock.now - opened < .seconds(4))
        }
    }

    @Test func headLargerThanTheConnectionMemoryIsRefused() async throws {
        let configuration = HTTPServer.Configuration(perConnectionMemoryLimit: 4096, threadPoolSize: 1)
        try await withServer(Self.router(), configuration: configuration) { _, address in
            let response = try HTTPClient.request("GET", "\(address)", "/ok", headers: [("X-Big", String(repeating: "x", count: 8192))])
            #expect(response.status == 431)
            #expect(try HTTPClient.request("GET", "\(address)", "/ok").status == 200)
        }
    }

    @Test func connectionLimitIsEnforced() async throws {
        let configuration = HTTPServer.Configuration(maxConnections: 1, threadPoolSize: 1)
        try await withServer(Self.router(), configuration: configuration) { _, address in
            let first = try RawHTTPConnection("\(address)")
            try first.send(HTTPClient.requestBytes("GET", "/ok"))
            #expect(try first.readResponse().status == 200)
            let second = try RawHTTPConnection("\(address)")
            try second.send(HTTPClient.requestBytes("GET", "/ok"))
            #expect(!second.isReadable(within: 300), "served beyond the limit")
            first.hangUp()
            #expect(try second.readResponse().status == 200)
        }
    }
}
