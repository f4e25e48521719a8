import Foundation
import Testing

/// `/health` and the health gauges of the real binary (CONTRACT §4, §6).
@Suite struct HealthBinaryTests {
    @Test func healthCarriesEveryContractField() throws {
        let sexton = try SextonProcess(try calmMemoryFlags())
        let reply = try sexton.get("/health", on: .telemetry)
        #expect(reply.status == 200)
        #expect(reply.header("Content-Type") == "application/json")
        let health = reply.json
        for field in [
            "status", "checks", "total_zombie_operations", "zombie_counts_by_target_type",
            "oldest_zombie_age_seconds", "memory_pressure", "failed_cleanup_handlers", "issues",
        ] {
            #expect(health[field] != nil, "missing \(field)")
        }
        #expect(health["status"] as? String == "healthy")
        #expect(health["total_zombie_operations"] as? Int == 0)
        #expect((health["memory_pressure"] as? Double).map { abs($0 - 0.1) < 1e-9 } == true)
        #expect((health["issues"] as? [Any])?.isEmpty == true)
        let checks = health["checks"] as? [String: [String: Any]] ?? [:]
        #expect(Set(checks.keys) == [
            "zombie_count", "zombie_age", "cleanup_worker", "cleanup_handlers", "memory_pressure", "staging",
            "resolution_latency", "store",
        ])
        for (name, check) in checks {
            #expect(check["state"] as? String == "ok", "\(name)")
            #expect(check["value"] is Double || check["value"] is Int, "\(name)")
            #expect(check["message"] is String, "\(name)")
        }
    }

    /// One zombie is over the warn threshold 0, two over the fail threshold 1; `none` keeps them.
    @Test func statusFollowsTheZombieThresholds() throws {
        let sexton = try SextonProcess([
            "--health-zombie-count-warn", "0", "--health-zombie-count-fail", "1", "--cleanup-strategy", "none",
            "--coordinator-staging-window", "0s",
        ] + calmMemoryFlags())
        try expectHealth(sexton, status: "healthy", statusValue: 0, zombieCheck: "ok", zombieValue: 0, zombies: 0)

        try failOperation(sexton, "z1")
        try expectHealth(sexton, status: "degraded", statusValue: 1, zombieCheck: "warn", zombieValue: 1, zombies: 1)

        try failOperation(sexton, "z2")
        try expectHealth(sexton, status: "unhealthy", statusValue: 2, zombieCheck: "fail", zombieValue: 2, zombies: 2)
        let health = try sexton.get("/health", on: .telemetry).json
        #expect((health["zombie_counts_by_target_type"] as? [String: Int]) == ["default": 2])
        #expect((health["issues"] as? [String])?.isEmpty == false)
        // An unhealthy sidecar stays ready: its cleanup being behind is no reason to leave service.
        #expect(try sexton.get("/readyz", on: .telemetry).status == 200)
    }

    private func failOperation(_ sexton: SextonProcess, _ target: String) throws {
        let submitted = try sexton.submit(target)
        #expect(submitted.status == 200)
        let id = try #require(submitted.json["id"] as? String)
        #expect(try sexton.call("POST", "/v1/operations/\(id)/start").status == 200)
        let completed = try sexton.call("POST", "/v1/operations/\(id)/complete", ["outcome": "failed", "error": "disk full"])
        #expect(completed.status == 200)
        #expect(completed.json["status"] as? String == "failed")
        #expect(completed.json["zombie"] as? Bool == true)
    }

    private func expectHealth(
        _ sexton: SextonProcess, status: String, statusValue: Double, zombieCheck: String, zombieValue: Double,
        zombies: Int
    ) throws {
        let health = try sexton.get("/health", on: .telemetry).json
        #expect(health["status"] as? String == status)
        #expect(health["total_zombie_operations"] as? Int == zombies)
        let check = (health["checks"] as? [String: [String: Any]])?["zombie_count"]
        #expect(check?["state"] as? String == zombieCheck)
        let metrics = try sexton.metrics()
        #expect(metrics.value("sexton_health_status") == statusValue)
        #expect(metrics.value("sexton_health_check_state", ["check": "zombie_count"]) == zombieValue)
        #expect(metrics.value("sexton_zombies") == Double(zombies))
        #expect(metrics.value("sexton_zombies_created_total", ["reason": "failed"]) == Double(zombies))
    }
}
