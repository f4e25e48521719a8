import SextonCore
import SextonHTTP

/// The application API of CONTRACT §5 (`/v1/...`).
enum APIRoutes {
    static let maxBatchSize = 1000

    static func add(to router: inout Router, _ ctx: APIContext) {
        router.addDeferred(.post, "/v1/operations") { request, responder in
            let operation = APIContext.check(answering: responder) { () throws(APIError) in
                try ctx.refuseWhenShuttingDown()
                return try ctx.decoding.decode(try RequestBody.object(request)!)
            }
            guard let operation else { return }
            // The answer waits for the batch to resolve without holding a server thread.
            ctx.store.submit(operation) { result in
                responder.respond(APIContext.answer {
                    let decision = try result.get()
                    return (decision.isAdmitted ? 200 : 409, OperationJSON.decision(decision, lease: ctx.store.leaseTimeout))
                })
            }
        }

        router.addDeferred(.post, "/v1/batches") { request, responder in
            let requests = APIContext.check(answering: responder) { () throws(APIError) -> [OperationRequest] in
                try ctx.refuseWhenShuttingDown()
                let body = try RequestBody.object(request)!
                let f = try JSONFields(body, allowed: ["operations"])
                guard case .array(let items)? = f.member("operations") else {
                    throw APIError(.invalidArgument, "operations must be an array of operations", field: "operations")
                }
                guard (1...maxBatchSize).contains(items.count) else {
                    throw APIError(.invalidArgument, "a batch holds 1–\(maxBatchSize) operations, not \(items.count)", field: "operations")
                }
                // Every member is checked before any is submitted: a bad one changes nothing.
                return try items.enumerated().map { (i, item) throws(APIError) in try ctx.decoding.decode(item, prefix: "operations[\(i)].") }
            }
            guard let requests else { return }
            ctx.store.submitBatch(requests) { results in
                let answers = results.map { result -> JSONValue in
                    switch result {
                    case .success(let decision): OperationJSON.decision(decision, lease: ctx.store.leaseTimeout)
                    case .failure(let error): .object([("error", ErrorResponse.body(APIError(error)))])
                    }
                }
                responder.respond(APIContext.answer { (200, .object([("results", .array(answers))])) })
            }
        }

        router.addDeferred(.post, "/v1/operations/{id}/start") { request, responder in
            transition(request, responder, ctx) { _ in .start }
        }
        router.addDeferred(.post, "/v1/operations/{id}/heartbeat") { request, responder in
            transition(request, responder, ctx) { _ in .heartbeat }
        }
        router.addDeferred(.post, "/v1/operations/{id}/complete") { request, responder in
            transition(request, responder, ctx, takesBody: true) { body in
                let f = try JSONFields(body ?? .object([]), allowed: ["outcome", "error"])
                let succeeded: Bool
                switch try f.string("outcome") {
                case "succeeded": succeeded = true
                case "failed": succeeded = false
                case let other:
                    throw APIError(.invalidArgument, "outcome must be \"succeeded\" or \"failed\", not \(other.map { "\"\($0)\"" } ?? "missing")", field: "outcome")
                }
                return .complete(succeeded: succeeded, error: try f.string("error"))
            }
        }
        router.addDeferred(.delete, "/v1/operations/{id}") { request, responder in
            transition(request, responder, ctx) { _ in .cancel }
        }
        router.addDeferred(.get, "/v1/operations/{id}") { request, responder in
            let id = APIContext.check(answering: responder) { () throws(APIError) in try request.pathID() }
            guard let id else { return }
            ctx.store.operation(id) { result in
                responder.respond(APIContext.answer { (200, OperationJSON.operation(try result.get(), ctx.clock.wallClock)) })
            }
        }

        router.addDeferred(.get, "/v1/targets/{target}") { request, responder in
            let name = APIContext.check(answering: responder) { () throws(APIError) -> String in
                let name = request.pathParameters["target"] ?? ""
                try APIError.core { () throws(SextonError) in try OperationRequest.checkTarget(name) }
                return name
            }
            guard let name else { return }
            ctx.store.target(name) { result in
                responder.respond(APIContext.answer {
                    let report = try result.get()
                    return (200, OperationJSON.target(report.target, zombies: report.zombies, now: ctx.clock.now(), ctx.clock.wallClock))
                })
            }
        }

        router.addDeferred(.get, "/v1/zombies") { request, responder in
            let query = APIContext.check(answering: responder) { () throws(APIError) -> ZombieQuery in
                var query = ZombieQuery()
                if let text = try request.singleQuery("limit") {
                    guard let value = Int(text), (1...1000).contains(value) else {
                        throw APIError(.invalidArgument, "limit must be an integer 1–1000, not \"\(text)\"", field: "limit")
                    }
                    query.limit = value
                }
                query.target = try request.singleQuery("target").flatMap { $0.isEmpty ? nil : $0 }
                if let target = query.target { try APIError.core { () throws(SextonError) in try OperationRequest.checkTarget(target) } }
                query.targetType = try request.singleQuery("target_type").flatMap { $0.isEmpty ? nil : $0 }
                return query
            }
            guard let query else { return }
            ctx.store.zombies(query) { result in
                responder.respond(APIContext.answer {
                    let zombies = try result.get()
                    let now = ctx.clock.now()
                    let wall = ctx.clock.wallClock
                    return (200, .object([("zombies", .array(zombies.map { OperationJSON.zombie($0, now: now, wall) }))]))
                })
            }
        }
    }

    /// start, heartbeat, complete and cancel: the transition `make` reads from the body (start,
    /// heartbeat and cancel need none; an empty JSON object is fine too), then the operation as
    /// it is afterwards, or the refusal naming it.
    private static func transition(
        _ request: Request, _ responder: Responder, _ ctx: APIContext, takesBody: Bool = false,
        _ make: (JSONValue?) throws -> Transition
    ) {
        let id = request.pathParameters["id"]
        let checked = APIContext.check(id: id, answering: responder) { () throws -> (String, Transition) in
            let id = try request.pathID()
            let body = try RequestBody.object(request, optional: !takesBody)
            if !takesBody, let body { _ = try JSONFields(body, allowed: []) }
            return (id, try make(body))
        }
        guard case let (checkedID, transition)? = checked else { return }
        ctx.store.apply(transition, to: checkedID) { result in
            responder.respond(APIContext.answer(id: id) { (200, OperationJSON.operation(try result.get(), ctx.clock.wallClock)) })
        }
    }
}
