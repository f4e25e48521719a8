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
        let metrics = try sexton.metrics()
        #expect(Set(metrics.help.keys) == Set(metrics.type.keys))
        for sample in metrics.samples {
            #expect(metrics.family(of: sample) != nil, "\(sample.name) has no # TYPE")
        }
        for (family, declared) in ContractMetrics.families {
            #expect(metrics.type[family] == declared.type, "family \(family)")
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
