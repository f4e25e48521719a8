import Synchronization
import Testing
import SextonHTTP
import SextonTestSupport

@Suite struct ServerRoutingTests {
    private static func jsonErrors() -> Router {
        Router { failure, request in
            var response = Response(
                status: failure.status,
                text: #"{"error":{"code":"\#(failure.status == 404 ? "not_found" : "method_not_allowed")","path":"\#(request.path)"}}"#,
                contentType: "application/json"
            )
            response.headers.add("X-Rendered", "app")
            return response
        }
    }

    @Test func routesByMethodAndPathWithDecodedParameters() async throws {
        var router = Router()
        router.add(.post, "/v1/operations/{id}/start") { request in
            Response(text: "start \(request.pathParameters["id"]!) via \(request.route!)")
        }
        router.add(.get, "/hello") { _ in Response(text: "hi") }
        try await withServer(router) { _, address in
            let start = try HTTPClient.request("POST", "\(address)", "/v1/operations/op%201%2Fx/start")
            #expect(start.status == 200)
            #expect(start.text == "start op 1/x via /v1/operations/{id}/start")
            let hello = try HTTPClient.request("GET", "\(address)", "/hello")
            #expect(hello.text == "hi")
            #expect(hello.header("content-type") == "text/plain; charset=utf-8")
            let head = try HTTPClient.request("HEAD", "\(address)", "/hello")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
        }
    }

    @Test func unknownPathGetsTheRenderedNotFound() async throws {
        try await withServer(Self.jsonErrors()) { _, address in
            let response = try HTTPClient.request("GET", "\(address)", "/nope%21")
            #expect(response.status == 404)
            #expect(response.text == #"{"error":{"code":"not_found","path":"/nope!"}}"#)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.header("X-Rendered") == "app")
        }
    }

    @Test func knownPathWithWrongMethodGets405WithAllow() async throws {
        var router = Self.jsonErrors()
        router.add(.get, "/v1/operations/{id}") { _ in Response() }
        router.add(.delete, "/v1/operations/{id}") { _ in Response() }
        try await withServer(router) { _, address in
            let response = try HTTPClient.request("PUT", "\(address)", "/v1/operations/7", body: Array("{}".utf8))
            #expect(response.status == 405)
            #expect(response.header("Allow") == "DELETE, GET, HEAD")
            #expect(response.text.contains("method_not_allowed"))
        }
    }

    @Test func queryStringIsParsedAndKeptRaw() async throws {
        var router = Router()
        router.add(.get, "/q") { request in
            let exclude = request.query.values(for: "exclude").joined(separator: "|")
            return Response(text: "\(request.queryString)|\(request.query.contains("verbose"))|\(exclude)|\(request.query["n"] ?? "-")")
        }
        try await withServer(router) { _, address in
            let response = try HTTPClient.request("GET", "\(address)", "/q?verbose&exclude=a&exclude=b%26c&n=x+y")
            #expect(response.text == "verbose&exclude=a&exclude=b%26c&n=x+y|true|a|b&c|x y")
        }
    }

    @Test func hookSeesRoutePatternsNotIds() async throws {
        let seen = Mutex<[String]>([])
        var router = Router()
        router.add(.get, "/v1/operations/{id}") { _ in Response(status: 204) }
        try await withServer(router, onRequest: { done in
            seen.withLock { $0.append("\(done.method) \(done.route) \(done.status)") }
        }) { _, address in
            _ = try HTTPClient.request("GET", "\(address)", "/v1/operations/secret-id")
            _ = try HTTPClient.request("GET", "\(address)", "/other")
            _ = try HTTPClient.request("POST", "\(address)", "/v1/operations/secret-id")
        }
        #expect(seen.withLock { $0 } == [
            "GET /v1/operations/{id} 204", "GET unmatched 404", "POST /v1/operations/{id} 405",
        ])
    }

    @Test func throwingHandlerGets500() async throws {
        struct Boom: Error {}
        var router = Router()
        router.add(.get, "/boom") { _ in throw Boom() }
        try await withServer(router) { _, address in
            let response = try HTTPClient.request("GET", "\(address)", "/boom")
            #expect(response.status == 500)
        }
    }
}
