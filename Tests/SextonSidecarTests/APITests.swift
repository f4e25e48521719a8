import Foundation
import Testing

/// Every application route's success path (CONTRACT §2, §5), field by field, in-process on a
/// manual clock.
@Suite struct APITests {
    @Test func aSubmissionWithoutIdGetsAGeneratedOne() async throws {
        let sidecar = try InProcessSidecar()
        let reply = try await sidecar.submit("t")
        #expect(reply.status == 200)
        let id = try #require(reply.json["id"] as? String)
        #expect(UUID(uuidString: id) != nil, "id \(id)")
    }

    @Test func aLoserIs409WithReasonAndWinner() async throws {
        let sidecar = try InProcessSidecar(["--coordinator-grace-period", "1h"])
        #expect(try await sidecar.submit("t", ["id": "first"]).status == 200)
        let busy = try await sidecar.submit("t", ["id": "second", "priority": "low"])
        #expect(busy.status == 409)
        #expect(busy.json["id"] as? String == "second")
        #expect(busy.json["status"] as? String == "rejected")
        #expect(busy.json["reason"] as? String == "grace_period")
        #expect(busy.json["winner"] as? String == "first")
        #expect(busy.json["error"] == nil)
    }

    @Test func aBatchResolvesToOneWinnerPerTargetInRequestOrder() async throws {
        let sidecar = try InProcessSidecar()
        let operations: [[String: Any]] = [
            ["id": "b-low", "target": "b", "priority": "low"],
            ["id": "c-only", "target": "c"],
            ["id": "b-high", "target": "b", "priority": 9],
            ["id": "b-normal", "target": "b"],
        ]
        let reply = try await sidecar.call(.post, "/v1/batches", ["operations": operations])
        #expect(reply.status == 200)
        let results = try #require(reply.json["results"] as? [[String: Any]])
        #expect(results.map { $0["id"] as? String } == ["b-low", "c-only", "b-high", "b-normal"])
        #expect(results.map { $0["status"] as? String } == ["rejected", "admitted", "admitted", "rejected"])
        for loser in [results[0], results[3]] {
            #expect(loser["reason"] as? String == "lost_conflict")
            #expect(loser["winner"] as? String == "b-high")
        }
        let metrics = try await sidecar.metrics()
        #expect(metrics.value("sexton_conflicts_detected_total") == 1)
        #expect(metrics.value("sexton_operations_rejected_total", ["stage": "staging", "reason": "lost_conflict"]) == 2)
    }

    @Test func theLifecycleRoutesMoveAnOperationToSuccessAndBumpTheVersion() async throws {
        let sidecar = try InProcessSidecar()
        #expect(try await sidecar.submit("doc", ["id": "w1", "expected_version": 0]).status == 200)

        let started = try await sidecar.call(.post, "/v1/operations/w1/start")
        #expect(started.status == 200)
        #expect(started.json["status"] as? String == "executing")
        #expect(started.json["started_at"] is String)

        // An empty JSON object is an acceptable body for routes that need none.
        let beat = try await sidecar.call(.post, "/v1/operations/w1/heartbeat", [String: Any]())
        #expect(beat.status == 200)
        #expect(beat.json["last_heartbeat_at"] is String)

        let done = try await sidecar.call(.post, "/v1/operations/w1/complete", ["outcome": "succeeded"])
        #expect(done.status == 200)
        #expect(done.json["status"] as? String == "succeeded")
        #expect(done.json["zombie"] as? Bool == false)
        #expect(done.json["ended_at"] is String)

        let target = try await sidecar.get("/v1/targets/doc")
        #expect(target.status == 200)
        #expect(target.json["version"] as? Int == 1)
        #expect(target.json["active"] is NSNull)

        // The next writer must name the new version.
        let stale = try await sidecar.submit("doc", ["id": "w2", "expected_version": 0])
        #expect(stale.status == 409)
        #expect(stale.json["reason"] as? String == "version_conflict")
        let fresh = try await sidecar.submit("doc", ["id": "w3", "expected_version": 1])
        #expect(fresh.status == 200)
        #expect(fresh.json["target_version"] as? Int == 1)
    }

    @Test func getOperationShowsStatusTimestampsEntityAndLineage() async throws {
        let sidecar = try InProcessSidecar()
        #expect(try await sidecar.submit("x", ["id": "parent-op", "priority": 8]).status == 200)
        #expect(try await sidecar.submit("y", ["id": "child-op", "priority": 2, "parent": "parent-op", "retry_of": "old-op", "retry_count": 2]).status == 200)
        let reply = try await sidecar.get("/v1/operations/child-op")
        #expect(reply.status == 200)
        let op = reply.json
        #expect(op["id"] as? String == "child-op")
        #expect(op["target"] as? String == "y")
        #expect(op["status"] as? String == "admitted")
        #expect(op["priority"] as? Int == 2)
        #expect(op["effective_priority"] as? Int == 8)
        #expect(op["ecs_id"] is String)
        #expect(op["submitted_at"] is String)
        #expect(op["admitted_at"] is String)
        #expect(op["ended_at"] is NSNull)
        let lineage = op["lineage"] as? [String: Any]
        #expect(lineage?["parent"] as? String == "parent-op")
        #expect(lineage?["retry_of"] as? String == "old-op")
        #expect(lineage?["retry_count"] as? Int == 2)
    }

    @Test func cancelEndsTheOperationAndFreesTheTarget() async throws {
        let sidecar = try InProcessSidecar()
        #expect(try await sidecar.submit("t", ["id": "c1"]).status == 200)
        let cancelled = try await sidecar.call(.delete, "/v1/operations/c1")
        #expect(cancelled.status == 200)
        #expect(cancelled.json["status"] as? String == "cancelled")
        #expect(cancelled.json["in_registry"] as? Bool == false)
        #expect(try await sidecar.get("/v1/operations/c1").json["status"] as? String == "cancelled")
        // The ended operation's id may be used again, and the target takes a newcomer at once.
        #expect(try await sidecar.submit("t", ["id": "c1"]).status == 200)
        let metrics = try await sidecar.metrics()
        #expect(metrics.value("sexton_operations_completed_total", ["outcome": "cancelled"]) == 1)
        #expect(metrics.value("sexton_zombies_created_total") == 0)
    }

    @Test func targetShowsVersionActiveStagedAndZombies() async throws {
        let sidecar = try InProcessSidecar(["--cleanup-strategy", "none"])
        #expect(try await sidecar.submit("t", ["id": "loser"]).status == 200)
        #expect(try await sidecar.call(.post, "/v1/operations/loser/start").status == 200)
        #expect(try await sidecar.call(.post, "/v1/operations/loser/complete", ["outcome": "failed", "error": "boom"]).status == 200)
        #expect(try await sidecar.submit("t", ["id": "holder"]).status == 200)

        let reply = try await sidecar.get("/v1/targets/t")
        #expect(reply.status == 200)
        let body = reply.json
        #expect(Set(body.keys) == ["target", "version", "active", "staged", "zombies"])
        #expect(body["target"] as? String == "t")
        #expect(body["version"] as? Int == 0)
        #expect(body["staged"] as? Int == 0)
        #expect((body["active"] as? [String: Any])?["id"] as? String == "holder")
        let zombies = try #require(body["zombies"] as? [[String: Any]])
        #expect(zombies.map { $0["id"] as? String } == ["loser"])
        #expect(zombies.first?["reason"] as? String == "failed")

        let unknown = try await sidecar.get("/v1/targets/never-seen")
        #expect(unknown.status == 200)
        #expect(unknown.json["active"] is NSNull)
        #expect((unknown.json["zombies"] as? [Any])?.isEmpty == true)
    }

    @Test func zombiesAreListedOldestFirstWithLimitAndFilters() async throws {
        let sidecar = try InProcessSidecar(["--cleanup-strategy", "none"])
        let made: [(id: String, target: String, type: String)] = [
            ("z1", "a", "disk"), ("z2", "b", "disk"), ("z3", "a", "vm"), ("z4", "c", "vm"),
        ]
        for zombie in made {
            #expect(try await sidecar.submit(zombie.target, ["id": zombie.id, "target_type": zombie.type]).status == 200)
            #expect(try await sidecar.call(.post, "/v1/operations/\(zombie.id)/start").status == 200)
            #expect(try await sidecar.call(.post, "/v1/operations/\(zombie.id)/complete", ["outcome": "failed"]).status == 200)
        }
        func ids(_ query: String) async throws -> [String] {
            let reply = try await sidecar.get("/v1/zombies\(query)")
            #expect(reply.status == 200, "\(query)")
            return (reply.json["zombies"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        #expect(try await ids("") == ["z1", "z2", "z3", "z4"])
        #expect(try await ids("?limit=2") == ["z1", "z2"])
        #expect(try await ids("?target=a") == ["z1", "z3"])
        #expect(try await ids("?target_type=vm") == ["z3", "z4"])
        #expect(try await ids("?target=a&target_type=vm&limit=1000") == ["z3"])

        let first = try #require((await sidecar.get("/v1/zombies?limit=1").json["zombies"] as? [[String: Any]])?.first)
        for field in ["id", "ecs_id", "target", "target_type", "op_type", "priority", "status", "reason", "admitted_at", "ended_at"] {
            #expect(first[field] != nil, "zombie lacks \(field)")
        }
        #expect(first["status"] as? String == "failed")
    }

    /// CONTRACT §2.1: an operation's `cleanup` object overrides its op type's policy, each key
    /// read as the configuration file reads it (`null` keeps the policy's value).
    @Test func aCleanupOverrideDecidesHowTheOperationsZombieIsCleaned() async throws {
        let sidecar = try InProcessSidecar(["--cleanup-strategy", "immediate"])
        let cleanup: [String: Any] = ["strategy": "deferred", "retention": "5m", "immediate_priorities": [9, "critical"], "debug_mode": NSNull()]
        let submitted = try await sidecar.submit("t", ["id": "kept", "cleanup": cleanup])
        #expect(submitted.status == 200, "\(submitted.text)")
        #expect(try await sidecar.call(.post, "/v1/operations/kept/start").status == 200)
        #expect(try await sidecar.call(.post, "/v1/operations/kept/complete", ["outcome": "failed"]).status == 200)
        let zombies = try #require(await sidecar.get("/v1/zombies").json["zombies"] as? [[String: Any]])
        #expect(zombies.map { $0["id"] as? String } == ["kept"])
        #expect(zombies.first?["strategy"] as? String == "deferred")
        await sidecar.advance(by: .seconds(301))
        #expect((try await sidecar.get("/v1/zombies").json["zombies"] as? [Any])?.isEmpty == true)
    }

    @Test(arguments: [
        (#"{"retention":"soon"}"#, "cleanup.retention"),
        (#"{"retention":300}"#, "cleanup.retention"),
        (#"{"strategy":"sometimes"}"#, "cleanup.strategy"),
        (#"{"colour":"red"}"#, "cleanup.colour"),
        (#"{"retry":{"max_attempts":"x"}}"#, "cleanup.retry.max_attempts"),
        (#"["strategy"]"#, "cleanup"),
        (#""deferred""#, "cleanup"),
    ])
    func aBadCleanupOverrideIsRefusedNamingTheKey(cleanup: String, field: String) async throws {
        let sidecar = try InProcessSidecar()
        let body = Array(#"{"target":"t","cleanup":\#(cleanup)}"#.utf8)
        let reply = try await sidecar.call(.post, "/v1/operations", rawBody: body)
        #expect(reply.status == 400, "\(cleanup)")
        let error = reply.json["error"] as? [String: Any]
        #expect(error?["code"] as? String == "invalid_argument", "\(cleanup)")
        #expect(error?["field"] as? String == field, "\(cleanup): \(reply.text)")
        #expect(sidecar.core.coordinator.snapshot().staged == 0 && sidecar.core.coordinator.snapshot().active == 0)
    }

    @Test func submissionsWithinOneWindowHaveOneWinner() async throws {
        let sidecar = try InProcessSidecar(["--coordinator-staging-window", "50ms"])
        async let low = sidecar.submit("t", ["id": "low", "priority": "low"])
        async let high = sidecar.submit("t", ["id": "high", "priority": "high"])
        await sidecar.waitUntilStaged(2)
        await sidecar.advance(by: .milliseconds(49))
        #expect(sidecar.core.coordinator.snapshot().staged == 2)
        await sidecar.advance(by: .milliseconds(1))
        let (lost, won) = try await (low, high)
        #expect(won.status == 200 && won.json["status"] as? String == "admitted")
        #expect(lost.status == 409 && lost.json["reason"] as? String == "lost_conflict")
        #expect(lost.json["winner"] as? String == "high")
    }

    /// The reference scenario: A holds the target through its grace period, then loses it to a
    /// higher priority, and learns so at its next heartbeat.
    @Test func gracePeriodScenarioEndToEnd() async throws {
        let sidecar = try InProcessSidecar(["--coordinator-grace-period", "300ms", "--cleanup-strategy", "deferred"])
        let a = try await sidecar.submit("shared", ["id": "A", "priority": "normal"])
        #expect(a.status == 200)
        #expect(try await sidecar.call(.post, "/v1/operations/A/start").status == 200)

        await sidecar.advance(by: .milliseconds(299))
        let b = try await sidecar.submit("shared", ["id": "B", "priority": "high"])
        #expect(b.status == 409)
        #expect(b.json["reason"] as? String == "grace_period")
        #expect(b.json["winner"] as? String == "A")

        await sidecar.advance(by: .milliseconds(1))
        let c = try await sidecar.submit("shared", ["id": "C", "priority": "critical"])
        #expect(c.status == 200)
        #expect(c.json["status"] as? String == "admitted")

        let beat = try await sidecar.call(.post, "/v1/operations/A/heartbeat")
        #expect(beat.status == 409)
        #expect(beat.json["id"] as? String == "A")
        #expect(beat.json["status"] as? String == "rejected")
        #expect(beat.json["reason"] as? String == "preempted")
        #expect((beat.json["error"] as? [String: Any])?["code"] as? String == "conflict")

        let zombies = try #require(await sidecar.get("/v1/zombies").json["zombies"] as? [[String: Any]])
        #expect(zombies.map { $0["id"] as? String } == ["A"])
        #expect(zombies.first?["reason"] as? String == "preempted")
        #expect(zombies.first?["strategy"] as? String == "deferred")

        let metrics = try await sidecar.metrics()
        #expect(metrics.value("sexton_grace_period_saves_total") == 1)
        #expect(metrics.value("sexton_preemptions_total") == 1)
        #expect(metrics.value("sexton_zombies_created_total", ["reason": "preempted"]) == 1)
        #expect(metrics.value("sexton_operations_submitted_total") == 3)
        #expect(metrics.value("sexton_operations_admitted_total") == 2)
    }
}
