import Foundation
import Testing
@testable import SextonHTTP

@Suite struct RouterTests {
    private func router() -> Router {
        var router = Router()
        router.add(.get, "/v1/operations/{id}") { _ in Response() }
        router.add(.delete, "/v1/operations/{id}") { _ in Response() }
        router.add(.get, "/v1/operations/batch") { _ in Response() }
        router.add(.post, "/v1/operations/{id}/start") { _ in Response() }
        return router
    }

    private func matched(_ method: HTTPMethod, _ path: Substring) -> (pattern: String, parameters: [String: String])? {
        guard case .matched(let route, let parameters) = router().resolve(method, rawPath: path) else { return nil }
        return (route.pattern, parameters)
    }

    @Test func literalSegmentsWinOverParameters() {
        #expect(matched(.get, "/v1/operations/batch")?.pattern == "/v1/operations/batch")
        #expect(matched(.get, "/v1/operations/op-1")?.pattern == "/v1/operations/{id}")
    }

    @Test func parametersArePercentDecodedAfterSplitting() {
        #expect(matched(.post, "/v1/operations/a%2Fb%20c/start")?.parameters == ["id": "a/b c"])
        #expect(matched(.post, "/v1/operations//start") == nil)
    }

    @Test func headFallsBackToGet() {
        #expect(matched(.head, "/v1/operations/x")?.pattern == "/v1/operations/{id}")
    }

    @Test func knownPathWithOtherMethodIsMethodNotAllowed() {
        guard case .methodNotAllowed(let pattern, let allowed) = router().resolve(.put, rawPath: "/v1/operations/x") else {
            Issue.record("expected 405")
            return
        }
        #expect(pattern == "/v1/operations/{id}")
        #expect(allowed == [.delete, .get, .head])
    }

    @Test func unknownPathIsNotFound() {
        guard case .notFound = router().resolve(.get, rawPath: "/v1/operations/x/y/z") else {
            Issue.record("expected 404")
            return
        }
        guard case .notFound = router().resolve(.get, rawPath: "/v1/operations/x/") else {
            Issue.record("a trailing slash is another path")
            return
        }
    }
}

@Suite struct QueryParametersTests {
    @Test func decodesPercentPlusRepeatedAndBareKeys() {
        let query = QueryParameters(parsing: "verbose&exclude=a&exclude=b%2Bc&name=x+y%20z&empty=&bad=%zz")
        #expect(query.contains("verbose"))
        #expect(query["verbose"] == "")
        #expect(query.values(for: "exclude") == ["a", "b+c"])
        #expect(query["name"] == "x y z")
        #expect(query["empty"] == "")
        #expect(query["bad"] == "%zz")
        #expect(query["missing"] == nil)
    }

    @Test func requestSplitsTargetAndKeepsRawQuery() {
        let request = Request(method: .get, target: "/a%20b?x=1&y#frag")
        #expect(request.path == "/a b")
        #expect(request.rawPath == "/a%20b")
        #expect(request.queryString == "x=1&y")
        #expect(request.query["y"] == "")
    }

    @Test func headerLookupIgnoresCase() {
        let headers: HTTPHeaders = ["Content-Type": "application/json; charset=utf-8", "X-A": "1"]
        #expect(headers["content-type"] == "application/json; charset=utf-8")
        #expect(Request(method: .post, target: "/", headers: headers).mediaType == "application/json")
    }
}

/// `Router.respond`: a request answered in-process as the server would answer it.
@Suite struct InProcessRespondTests {
    struct Boom: Error {}

    private func router() -> Router {
        var router = Router()
        router.add(.get, "/items/{id}") { request in Response(status: 200, text: "item \(request.pathParameters["id"] ?? "") via \(request.route ?? "")") }
        router.add(.delete, "/items/{id}") { _ in Response(status: 204) }
        router.add(.get, "/boom") { _ in throw Boom() }
        router.addDeferred(.post, "/later") { request, responder in
            let body = request.body
            Thread.detachNewThread {
                responder.respond(Response(status: 202, text: String(decoding: body, as: UTF8.self)))
                responder.respond(Response(status: 500))
            }
        }
        router.addDeferred(.post, "/refused") { _, responder in responder.fail(.payloadTooLarge(limit: 10)) }
        return router
    }

    @Test func aMatchedRouteGetsItsParametersAndPattern() async {
        let response = await router().respond(.get, "/items/a%2Fb?x=1")
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "item a/b via /items/{id}")
    }

    @Test func unroutedRequestsAreRenderedLikeTheServerRendersThem() async {
        #expect(await router().respond(.get, "/nothing").status == 404)
        let wrongMethod = await router().respond(.put, "/items/1")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["Allow"] == "DELETE, GET, HEAD")
    }

    @Test func aThrowingHandlerIs500() async {
        #expect(await router().respond(.get, "/boom").status == 500)
    }

    @Test func aDeferredAnswerFromAnotherThreadIsAwaitedAndTheFirstWins() async {
        let response = await router().respond(.post, "/later", body: Array("payload".utf8))
        #expect(response.status == 202)
        #expect(String(decoding: response.body, as: UTF8.self) == "payload")
        #expect(await router().respond(.post, "/refused").status == 413)
    }
}
