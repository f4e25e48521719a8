import Foundation
import Testing

/// `/metrics` of the real binary (CONTRACT §6), as Prometheus and promtool read it.
@Suite struct MetricsBinaryTests {
    @Test func metricsHaveTheExpositionContentTypeAndPromtoolAcceptsThem() throws {
        let sexton = try SextonProcess(["--coordinator-staging-window", "0s", "--coordinator-grace-period", "1h"])
        // Some traffic first, so histograms, labelled counters and the HTTP counter have series.
        #expect(try sexton.submit("t1").status == 200)
        #expect(try sexton.submit("t1", ["priority": "critical"]).status == 409)
        #expect(try sexton.get("/nowhere").status == 404)

        let reply = try sexton.get("/metrics", on: .telemetry)
        #expect(reply.status == 200)
        #expect(reply.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")

        let check = try promtoolCheckMetrics(reply.text)
        #expect(check.code == 0)
        #expect(check.output.isEmpty, "promtool: \(check.output)")
    }

    @Test func everyFamilyHasHelpAndTypeAndTheContractFamiliesAreThere() throws {
        let sexton = try SextonProcess()
        // sexton_http_requests_total has no series, hence no family, before the first request.
        #expect(try sexton.get("/livez", on: .telemetry).status == 200)
        let metrics = try sexton.metrics()
        let help = metrics.described(by: "HELP")
        let types = metrics.described(by: "TYPE")
        #expect(help == types)

        let suffixes = ["_bucket", "_sum", "_count"]
        for sample in metrics.samples {
            let family = types.contains(sample.name)
                ? sample.name
                : suffixes.lazy.filter { sample.name.hasSuffix($0) }.map { String(sample.name.dropLast($0.count)) }.first { types.contains($0) }
            #expect(family != nil, "\(sample.name) has no # TYPE")
        }

        let required = [
            "sexton_operations_submitted_total", "sexton_operations_admitted_total", "sexton_operations_rejected_total",
            "sexton_operations_completed_total", "sexton_conflicts_detected_total", "sexton_conflicts_resolved_total",
            "sexton_conflict_resolution_duration_seconds", "sexton_operations_per_conflict",
            "sexton_grace_period_saves_total", "sexton_preemptions_total", "sexton_staged_operations",
            "sexton_active_operations", "sexton_registry_entities", "sexton_zombies", "sexton_oldest_zombie_age_seconds",
            "sexton_zombies_created_total", "sexton_zombies_cleaned_total", "sexton_zombie_age_at_cleanup_seconds",
            "sexton_cleanup_duration_seconds", "sexton_cleanup_failures_total", "sexton_cleanup_backlog",
            "sexton_cleanup_runs_total", "sexton_cleanup_last_run_timestamp_seconds", "sexton_cleanup_worker_up",
            "sexton_memory_pressure_triggered_cleanups_total", "sexton_forced_cleanups_total",
            "sexton_memory_pressure_ratio", "sexton_health_status", "sexton_health_check_state",
            "sexton_http_requests_total", "sexton_build_info", "process_cpu_seconds_total",
            "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
            "process_start_time_seconds", "sexton_history_evictions_total", "sexton_targets_evicted_total",
        ]
        for family in required {
            #expect(types.contains(family), "missing family \(family)")
        }
        #expect(metrics.value("sexton_build_info") == 1)
        #expect(metrics.value("sexton_cleanup_worker_up") == 1)
        // Known label values are there at 0 before anything happened.
        #expect(metrics.has("sexton_operations_submitted_total", ["priority": "critical"]))
        #expect(metrics.has("sexton_zombies_cleaned_total", ["strategy": "manual"]))
    }

    @Test func httpRequestsAreCountedByListenerRouteAndCode() throws {
        let sexton = try SextonProcess(["--coordinator-staging-window", "0s"])
        #expect(try sexton.get("/livez", on: .telemetry).status == 200)
        #expect(try sexton.get("/v1/zombies").status == 200)
        #expect(try sexton.submit("target-xyzzy", ["id": "op-plugh"]).status == 200)
        #expect(try sexton.call("POST", "/v1/operations/op-plugh/start").status == 200)
        let metrics = try sexton.metrics()
        #expect(metrics.value("sexton_http_requests_total", ["listener": "telemetry", "code": "200"]) >= 1)
        #expect(metrics.value("sexton_http_requests_total", ["listener": "api", "route": "/v1/zombies", "code": "200"]) == 1)
        #expect(metrics.value("sexton_http_requests_total", ["listener": "api", "route": "/v1/operations/{id}/start", "code": "200"]) == 1)
        // Route labels are patterns: no operation or target id reaches a label.
        #expect(!metrics.text.contains("op-plugh"))
        #expect(!metrics.text.contains("target-xyzzy"))
    }
}
