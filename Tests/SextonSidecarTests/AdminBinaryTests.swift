import Foundation
import Testing

/// `/admin/...` on the real binary (CONTRACT §3.3, §5): bearer token, 401/403, cleanup passes.
@Suite struct AdminBinaryTests {
    static let token = "s3cret-Admin-token.42"
    static let bearer = ["Authorization": "Bearer \(token)"]

    @Test func withoutAConfiguredTokenEveryAdminCallIsForbidden() throws {
        let sexton = try SextonProcess()
        for (method, path) in [("POST", "/admin/cleanup"), ("POST", "/admin/cleanup?all=true"), ("GET", "/admin/cleanup/status")] {
            for headers in [[:], Self.bearer] {
                let reply = try sexton.call(method, path, headers: headers)
                #expect(reply.status == 403, "\(method) \(path)")
                #expect((reply.json["error"] as? [String: Any])?["code"] as? String == "forbidden")
            }
        }
    }

    @Test func aMissingOrWrongTokenIs401WithTheBearerChallenge() throws {
        let sexton = try SextonProcess(environment: ["SEXTON_ADMIN_TOKEN": Self.token])
        let wrong: [[String: String]] = [
            [:],
            ["Authorization": "Bearer wrong"],
            ["Authorization": "Bearer \(Self.token)x"],
            ["Authorization": "Bearer \(Self.token.dropLast())"],
            ["Authorization": "Basic \(Data("admin:\(Self.token)".utf8).base64EncodedString())"],
            ["Authorization": "Bearer"],
        ]
        for headers in wrong {
            for (method, path) in [("POST", "/admin/cleanup"), ("GET", "/admin/cleanup/status")] {
                let reply = try sexton.call(method, path, headers: headers)
                #expect(reply.status == 401, "\(method) \(path) \(headers)")
                #expect(reply.header("WWW-Authenticate") == "Bearer")
                #expect((reply.json["error"] as? [String: Any])?["code"] as? String == "unauthenticated")
            }
        }
        #expect(!sexton.log.contains(Self.token))
    }

    @Test func cleanupPassesReportWhatTheyDidAndDryRunRemovesNothing() throws {
        let sexton = try SextonProcess(
            ["--cleanup-strategy", "none", "--coordinator-staging-window", "0s"],
            environment: ["SEXTON_ADMIN_TOKEN": Self.token])
        for id in ["z1", "z2"] {
            #expect(try sexton.submit("t-\(id)", ["id": id]).status == 200)
            #expect(try sexton.call("POST", "/v1/operations/\(id)/start").status == 200)
            #expect(try sexton.call("POST", "/v1/operations/\(id)/complete", ["outcome": "failed"]).status == 200)
        }

        let scheduled = try pass(sexton, "")
        #expect(scheduled["dry_run"] as? Bool == false)
        #expect(scheduled["candidates"] as? Int == 0, "strategy none keeps zombies from ordinary passes")
        #expect(scheduled["cleaned"] as? Int == 0)
        #expect(try zombieCount(sexton) == 2)

        let dry = try pass(sexton, "?dry_run=true&all=true")
        #expect(dry["dry_run"] as? Bool == true)
        #expect(dry["candidates"] as? Int == 2)
        #expect(dry["cleaned"] as? Int == 0)
        #expect(try zombieCount(sexton) == 2)

        let purge = try pass(sexton, "?all=true")
        #expect(purge["dry_run"] as? Bool == false)
        #expect(purge["candidates"] as? Int == 2)
        #expect(purge["cleaned"] as? Int == 2)
        #expect(purge["failed"] as? Int == 0)
        let byStrategy = try #require(purge["by_strategy"] as? [String: Int])
        #expect(byStrategy.values.reduce(0, +) == 2)
        #expect(try zombieCount(sexton) == 0)

        let metrics = try sexton.metrics()
        #expect(metrics.value("sexton_zombies_cleaned_total") == 2)
        #expect(metrics.value("sexton_cleanup_runs_total", ["trigger": "manual"]) == 3)
        #expect(metrics.value("sexton_cleanup_runs_total", ["trigger": "manual", "dry_run": "true"]) == 1)
        #expect(metrics.value("sexton_zombies") == 0)
    }

    @Test func statusShowsTheWorkerAndConfigurationButNeverTheToken() throws {
        let sexton = try SextonProcess(
            ["--cleanup-strategy", "deferred"], environment: ["SEXTON_ADMIN_TOKEN": Self.token])
        let reply = try sexton.call("GET", "/admin/cleanup/status", headers: Self.bearer)
        #expect(reply.status == 200)
        #expect(!reply.text.contains(Self.token))
        let worker = reply.json["worker"] as? [String: Any]
        #expect(worker?["running"] as? Bool == true)
        #expect(reply.json["dry_run"] as? Bool == false)
        #expect(reply.json["backlog"] as? Int == 0)
        #expect(try strategy(in: reply) == "deferred")
        #expect(!sexton.log.contains(Self.token))
    }

    @Test func aTokenFromTheTokenFileWorks() throws {
        let tokenFile = try temporaryFile("\(Self.token)\n", suffix: ".token")
        let sexton = try SextonProcess(config: "admin:\n  token_file: \(tokenFile)\n")
        #expect(try sexton.call("GET", "/admin/cleanup/status", headers: Self.bearer).status == 200)
        #expect(try sexton.call("GET", "/admin/cleanup/status", headers: ["Authorization": "Bearer nope"]).status == 401)
        let status = try sexton.call("GET", "/admin/cleanup/status", headers: Self.bearer)
        #expect(!status.text.contains(Self.token))
    }

    private func pass(_ sexton: SextonProcess, _ query: String) throws -> [String: Any] {
        let reply = try sexton.call("POST", "/admin/cleanup\(query)", headers: Self.bearer)
        #expect(reply.status == 200, "\(query): \(reply.text)")
        for field in ["dry_run", "candidates", "cleaned", "failed", "duration_seconds", "by_strategy"] {
            #expect(reply.json[field] != nil, "\(query) lacks \(field)")
        }
        #expect(reply.json["duration_seconds"] is Double || reply.json["duration_seconds"] is Int)
        return reply.json
    }

    private func zombieCount(_ sexton: SextonProcess) throws -> Int {
        (try sexton.get("/v1/zombies").json["zombies"] as? [Any])?.count ?? -1
    }
}

/// The global cleanup strategy as `GET /admin/cleanup/status` reports it.
func strategy(in status: HTTPReply) throws -> String? {
    let cleanup = try #require((status.json["config"] as? [String: Any])?["cleanup"] as? [String: Any])
    return cleanup["strategy"] as? String
}
