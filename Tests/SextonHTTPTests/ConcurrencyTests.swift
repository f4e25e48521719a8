import Testing
import SextonHTTP
import SextonTestSupport

@Suite struct ConcurrencyTests {
    private static func router(parked: ParkedResponders) -> Router {
        var router = Router()
        router.add(.get, "/fast") { _ in Response(text: "fast") }
        router.addDeferred(.post, "/wait", parked.handler)
        return router
    }

    /// With a single serving thread, a parked handler that blocked its thread would stall the
    /// fast request below; suspend/resume must keep that thread free.
    @Test(arguments: [1, 2])
    func waitingHandlerDoesNotHoldUpOtherRequests(threads: Int) async throws {
        let parked = ParkedResponders()
        let configuration = HTTPServer.Configuration(threadPoolSize: threads)
        try await withServer(Self.router(parked: parked), configuration: configuration) { _, address in
            let waiting = try RawHTTPConnection("\(address)")
            try waiting.send(HTTPClient.requestBytes("POST", "/wait"))
            let responder = try parked.next()

            for _ in 0..<3 { #expect(try HTTPClient.request("GET", "\(address)", "/fast").text == "fast") }

            responder.respond(Response(status: 202, text: "done"))
            responder.respond(Response(status: 500, text: "ignored second answer"))
            let response = try waiting.readResponse()
            #expect(response.status == 202)
            #expect(response.text == "done")
        }
    }

    @Test func answerFromAnotherThreadBeforeTheHandlerReturnsIsDelivered() async throws {
        var router = Router()
        router.addDeferred(.get, "/inline") { _, responder in responder.respond(Response(text: "inline")) }
        try await withServer(router) { _, address in
            let response = try HTTPClient.request("GET", "\(address)", "/inline")
            #expect(response.text == "inline")
        }
    }

    @Test func slowClientSendingByteByByteDoesNotHoldUpOthers() async throws {
        let configuration = HTTPServer.Configuration(threadPoolSize: 1)
        try await withServer(Self.router(parked: ParkedResponders()), configuration: configuration) { _, address in
            let slow = try RawHTTPConnection("\(address)")
            let request = HTTPClient.requestBytes("GET", "/fast")
            for (index, byte) in request.enumerated() {
                try slow.send([byte])
                if index % 8 == 0 {
                    #expect(try HTTPClient.request("GET", "\(address)", "/fast").status == 200)
                }
            }
            #expect(try slow.readResponse().text == "fast")
        }
    }

    @Test func keepAliveConnectionServesSeveralRequests() async throws {
        try await withServer(Self.router(parked: ParkedResponders())) { _, address in
            let connection = try RawHTTPConnection("\(address)")
            for _ in 0..<3 {
                try connection.send(HTTPClient.requestBytes("GET", "/fast"))
                #expect(try connection.readResponse().text == "fast")
            }
        }
    }
}
