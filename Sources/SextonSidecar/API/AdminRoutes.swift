import SextonCore
import SextonHTTP

/// `/admin/...` (CONTRACT §5): bearer-token protected; no token configured means 403.
enum AdminRoutes {
    static func add(to router: inout Router, _ ctx: APIContext) {
        router.addDeferred(.post, "/admin/cleanup") { request, responder in
            let checked = APIContext.check(answering: responder) {
                try authorize(request, ctx)
                if let body = try RequestBody.object(request, optional: true) { _ = try JSONFields(body, allowed: []) }
                return (try flag("dry_run", request), try flag("all", request))
            }
            guard case let (dryRun, all)? = checked else { return }
            // A manual pass waits for the handlers of what it removes; the answer waits with it,
            // without holding a server thread.
            Task {
                let result = await ctx.cleanup.runPass(trigger: .manual, dryRun: dryRun, all: all)
                responder.respond(APIContext.answer {
                    (200, .object([
                        ("dry_run", .bool(result.dryRun)),
                        ("all", .bool(result.all)),
                        ("candidates", .int(result.candidates)),
                        ("cleaned", .int(result.cleaned)),
                        ("failed", .int(result.failed)),
                        ("duration_seconds", .double(result.duration.seconds)),
                        ("by_strategy", .object(StrategyLabel.allCases.map { ($0.rawValue, .int(result.byStrategy[$0] ?? 0)) })),
                    ]))
                })
            }
        }

        router.add(.get, "/admin/cleanup/status") { request in
            APIContext.answer {
                try authorize(request, ctx)
                let s = ctx.cleanup.snapshot()
                let worker = s.worker
                let wall = ctx.clock.wallClock
                return (200, .object([
                    ("worker", .object([
                        ("running", .bool(worker.running)),
                        ("started_at", OperationJSON.time(worker.startedAt, wall)),
                        ("last_run", OperationJSON.time(worker.lastPassFinishedAt, wall)),
                        ("next_run", OperationJSON.time(worker.nextRunAt, wall)),
                        ("passes", .int(worker.passes)),
                    ])),
                    ("dry_run", .bool(s.dryRun)),
                    ("backlog", .int(s.backlog)),
                    ("zombies", .int(s.zombieCount)),
                    ("zombies_created", .int(s.zombiesCreated)),
                    ("zombies_cleaned", .int(s.zombiesCleaned)),
                    ("failed_handlers", .array(s.failedHandlers.map { .string($0) })),
                    ("memory_pressure", s.memoryPressure.map { .double($0) } ?? .null),
                    ("config", ctx.effectiveConfiguration),
                ]))
            }
        }
    }

    private static func authorize(_ request: Request, _ ctx: APIContext) throws(APIError) {
        guard let token = ctx.adminToken else {
            throw APIError(.forbidden, "the admin API is disabled: no admin token is configured (admin.token_file or SEXTON_ADMIN_TOKEN)")
        }
        let header = request.headers["Authorization"] ?? ""
        guard header.lowercased().hasPrefix("bearer "), token.matches(header.dropFirst(7).trimmingPrefix(" ")) else {
            throw APIError(.unauthenticated, header.isEmpty ? "missing bearer token" : "invalid bearer token")
        }
    }

    private static func flag(_ name: String, _ request: Request) throws(APIError) -> Bool {
        guard let text = try request.singleQuery(name) else { return false }
        switch text.lowercased() {
        case "", "true", "1": return true
        case "false", "0": return false
        default: throw APIError(.invalidArgument, "\(name) must be true or false, not \"\(text)\"", field: name)
        }
    }
}
