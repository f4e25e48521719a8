import SextonCore
import SextonHTTP

/// The application API of CONTRACT §5 (`/v1/...`).
enum APIRoutes {
    static let maxBatchSize = 1000

    static func add(to router: inout Router, _ ctx: APIContext) {
        router.addDeferred(.post, "/v1/operations") { request, responder in
            do {
                try ctx.refuseWhenShuttingDown()
                let body = try RequestBody.object(request)!
                let operation = try ctx.decoding.decode(body)
                // The answer waits for the batch to resolve without holding a server thread.
                try ctx.coordinator.submit(operation) { decision in
                    responder.respond(APIContext.answer { (decision.isAdmitted ? 200 : 409, OperationJSON.decision(decision, lease: ctx.coordinator.config.leaseTimeout)) })
                }
            } catch let error as SextonError {
                responder.respond(ErrorResponse.make(error))
            } catch {
                responder.respond(ErrorResponse.internalError)
            }
        }

        router.add(.post, "/v1/batches") { request in
            APIContext.answer {
                try ctx.refuseWhenShuttingDown()
                let body = try RequestBody.object(request)!
                let f = try JSONFields(body, allowed: ["operations"])
                guard case .array(let items)? = f.member("operations") else {
                    throw SextonError(.invalidArgument, "operations must be an array of operations", field: "operations")
                }
                guard (1...maxBatchSize).contains(items.count) else {
                    throw SextonError(.invalidArgument, "a batch holds 1–\(maxBatchSize) operations, not \(items.count)", field: "operations")
                }
                // Every member is checked before any is submitted: a bad one changes nothing.
                var requests: [OperationRequest] = []
                for (i, item) in items.enumerated() {
                    requests.append(try ctx.decoding.decode(item, prefix: "operations[\(i)]."))
                }
                let results = ctx.coordinator.submitBatch(requests).map { result -> JSONValue in
                    switch result {
                    case .success(let decision): OperationJSON.decision(decision, lease: ctx.coordinator.config.leaseTimeout)
                    case .failure(let error): .object([("error", ErrorResponse.body(error))])
                    }
                }
                return (200, .object([("results", .array(results))]))
            }
        }

        router.add(.post, "/v1/operations/{id}/start") { request in
            transition(request, ctx) { id in try ctx.coordinator.start(id) }
        }
        router.add(.post, "/v1/operations/{id}/heartbeat") { request in
            transition(request, ctx) { id in try ctx.coordinator.heartbeat(id) }
        }
        router.add(.post, "/v1/operations/{id}/complete") { request in
            APIContext.answer(id: request.pathParameters["id"]) {
                let id = try request.pathID()
                let body = try RequestBody.object(request) ?? .object([])
                let f = try JSONFields(body, allowed: ["outcome", "error"])
                let outcome: CompletionOutcome
                switch try f.string("outcome") {
                case "succeeded": outcome = .succeeded
                case "failed": outcome = .failed
                case let other:
                    throw SextonError(.invalidArgument, "outcome must be \"succeeded\" or \"failed\", not \(other.map { "\"\($0)\"" } ?? "missing")", field: "outcome")
                }
                let message = try f.string("error")
                try ctx.coordinator.complete(id, outcome: outcome, error: message)
                return try operationResponse(id, ctx)
            }
        }
        router.add(.delete, "/v1/operations/{id}") { request in
            transition(request, ctx, requiresEmptyBody: true) { id in try ctx.coordinator.cancel(id) }
        }
        router.add(.get, "/v1/operations/{id}") { request in
            APIContext.answer { try operationResponse(try request.pathID(), ctx) }
        }

        router.add(.get, "/v1/targets/{target}") { request in
            APIContext.answer {
                let name = request.pathParameters["target"] ?? ""
                try OperationRequest.checkTarget(name)
                // A query meeting the target is where lazy cleanup removes its expired zombies.
                let zombies = ctx.engine.zombies(target: name, limit: 1000)
                let view = ctx.coordinator.target(name)
                return (200, OperationJSON.target(view, zombies: zombies, now: ctx.clock.now(), ctx.clock.wallClock))
            }
        }

        router.add(.get, "/v1/zombies") { request in
            APIContext.answer {
                var limit = 100
                if let text = try request.singleQuery("limit") {
                    guard let value = Int(text), (1...1000).contains(value) else {
                        throw SextonError(.invalidArgument, "limit must be an integer 1–1000, not \"\(text)\"", field: "limit")
                    }
                    limit = value
                }
                let target = try request.singleQuery("target").flatMap { $0.isEmpty ? nil : $0 }
                if let target { try OperationRequest.checkTarget(target) }
                let targetType = try request.singleQuery("target_type").flatMap { $0.isEmpty ? nil : $0 }
                let zombies = ctx.engine.zombies(target: target, targetType: targetType, limit: limit)
                let now = ctx.clock.now()
                let wall = ctx.clock.wallClock
                return (200, .object([("zombies", .array(zombies.map { OperationJSON.zombie($0, now: now, wall) }))]))
            }
        }
    }

    /// start, heartbeat and cancel: no body needed (an empty JSON object is fine too).
    private static func transition(
        _ request: Request, _ ctx: APIContext, requiresEmptyBody: Bool = false,
        _ apply: (String) throws -> Void
    ) -> Response {
        APIContext.answer(id: request.pathParameters["id"]) {
            let id = try request.pathID()
            if let body = try RequestBody.object(request, optional: true) {
                _ = try JSONFields(body, allowed: [])
            }
            try apply(id)
            return try operationResponse(id, ctx)
        }
    }

    private static func operationResponse(_ id: String, _ ctx: APIContext) throws(SextonError) -> (Int, JSONValue) {
        guard let view = ctx.coordinator.operation(id) else { throw SextonError(.notFound, "no operation \(id)") }
        return (200, OperationJSON.operation(view, ctx.clock.wallClock))
    }
}
