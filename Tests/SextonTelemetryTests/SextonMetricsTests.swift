import SextonCore
import SextonTestSupport
import Testing
@testable import SextonTelemetry

@Suite struct SextonMetricsTests {
    @Test func everyContractFamilyHasHelpAndType() {
        let metrics = SextonMetrics(maxTargetTypes: 50)
        let exposition = MetricSamples(metrics.render(GaugeReadings()))
        for (family, declared) in ContractMetrics.families {
            #expect(exposition.type[family] == declared.type, "TYPE of \(family)")
            #expect(exposition.help[family]?.isEmpty == false, "no HELP for \(family)")
        }
        for family in exposition.type.keys {
            #expect(exposition.help[family] != nil, "\(family) has no HELP")
        }
        #expect(exposition.type["process_cpu_seconds_total"] == "counter")
        #expect(exposition.type["sexton_conflict_resolution_duration_seconds"] == "histogram")
    }

    @Test func knownLabelValuesStartAtZero() {
        let exposition = MetricSamples(SextonMetrics(maxTargetTypes: 50).render(GaugeReadings()))
        for band in PriorityBand.allCases {
            #expect(exposition.value("sexton_operations_submitted_total", ["priority": band.rawValue]) == 0)
        }
        #expect(exposition.value("sexton_operations_rejected_total", ["stage": "registry", "reason": "preempted"]) == 0)
        #expect(exposition.value("sexton_operations_rejected_total", ["stage": "staging", "reason": "lost_conflict"]) == 0)
        for strategy in StrategyLabel.allCases.map(\.rawValue) {
            #expect(exposition.value("sexton_zombies_cleaned_total", ["strategy": strategy]) == 0)
            #expect(exposition.value("sexton_cleanup_failures_total", ["strategy": strategy]) == 0)
        }
        #expect(exposition.value("sexton_cleanup_runs_total", ["trigger": "manual", "dry_run": "true"]) == 0)
        #expect(exposition.value("sexton_build_info", ["version": BuildInfo.version, "swift_version": BuildInfo.swiftVersion]) == 1)
        for operation in StoreOperation.allCases.map(\.rawValue) {
            #expect(exposition.value("sexton_store_errors_total", ["operation": operation]) == 0)
            #expect(exposition.value("sexton_store_request_duration_seconds_count", ["operation": operation]) == 0)
        }
    }

    @Test func theStoreFamiliesNameTheBackendAndCountRoundTrips() {
        let metrics = SextonMetrics(maxTargetTypes: 50, store: ("postgres", "pod-a"))
        metrics.storeRound(.sweep, duration: .seconds(2), failed: false)
        metrics.storeRound(.submit, duration: .milliseconds(3), failed: false)
        metrics.storeRound(.submit, duration: .milliseconds(30), failed: true)
        var readings = GaugeReadings()
        readings.storeUp = false
        let exposition = MetricSamples(metrics.render(readings))
        #expect(exposition.value("sexton_store_info", ["backend": "postgres", "replica": "pod-a"]) == 1)
        #expect(exposition.value("sexton_store_up", [:]) == 0)
        #expect(exposition.value("sexton_store_request_duration_seconds_count", ["operation": "submit"]) == 2)
        #expect(exposition.value("sexton_store_request_duration_seconds_count", ["operation": "sweep"]) == 1)
        #expect(exposition.value("sexton_store_request_duration_seconds_bucket", ["operation": "submit", "le": "0.005"]) == 1)
        #expect(exposition.value("sexton_store_errors_total", ["operation": "submit"]) == 1)
        #expect(exposition.value("sexton_store_errors_total", ["operation": "read"]) == 0)
    }

    @Test func gaugesComeFromReadings() {
        let metrics = SextonMetrics(maxTargetTypes: 2)
        var readings = GaugeReadings()
        readings.staged = 3
        readings.active = 2
        readings.registryEntities = 9
        readings.zombiesByTargetType = ["a": 1, "b": 2, "c": 4, "d": 8]
        readings.oldestZombieAge = .seconds(90)
        readings.workerUp = true
        readings.memoryPressure = 0.5
        var inputs = HealthInputs(
            zombieCount: 15, oldestZombieAge: nil, workerRunning: true, workerLastActivity: nil, checkInterval: .seconds(60),
            lastCleanupFailure: nil, exhaustedHandlers: [], memoryPressure: 0.95, staged: 0, maxStagingSize: 10,
            resolutionLatencyP99: nil)
        inputs.memoryPressure = 0.95
        readings.health = HealthEvaluator(thresholds: HealthThresholds()).evaluate(inputs, now: Timestamp(nanoseconds: 0))
        let exposition = MetricSamples(metrics.render(readings))
        #expect(exposition.value("sexton_staged_operations") == 3)
        #expect(exposition.value("sexton_active_operations") == 2)
        #expect(exposition.value("sexton_registry_entities") == 9)
        #expect(exposition.value("sexton_oldest_zombie_age_seconds") == 90)
        #expect(exposition.value("sexton_cleanup_worker_up") == 1)
        #expect(exposition.value("sexton_memory_pressure_ratio") == 0.5)
        #expect(exposition.value("sexton_health_status") == 1)
        #expect(exposition.value("sexton_health_check_state", ["check": "memory_pressure"]) == 1)
        #expect(exposition.value("sexton_health_check_state", ["check": "zombie_count"]) == 0)
        // Two types keep their label: `default`, shown from the start, and "a" (first in order);
        // the rest fold into other.
        #expect(exposition.value("sexton_zombies", ["target_type": "default"]) == 0)
        #expect(exposition.value("sexton_zombies", ["target_type": "a"]) == 1)
        #expect(!exposition.has("sexton_zombies", ["target_type": "b"]))
        #expect(exposition.value("sexton_zombies", ["target_type": "other"]) == 14)
        #expect(Set(exposition.samples.filter { $0.name == "sexton_zombies" }.map { $0.labels["target_type"] }) == ["default", "a", "other"])
        #expect(!exposition.has("sexton_zombies", ["target_type": "c"]))

        readings.zombiesByTargetType = [:]
        let drained = MetricSamples(metrics.render(readings))
        #expect(drained.value("sexton_zombies", ["target_type": "a"]) == 0)
        #expect(drained.value("sexton_zombies", ["target_type": "other"]) == 0)
    }

    /// Read twice, as every scrape re-reads statm through one descriptor kept open.
    @Test func processMetricsAreRead() throws {
        let metrics = SextonMetrics(maxTargetTypes: 50)
        _ = metrics.render(GaugeReadings())
        let exposition = MetricSamples(metrics.render(GaugeReadings()))
        let resident = exposition.value("process_resident_memory_bytes")
        let virtual = exposition.value("process_virtual_memory_bytes")
        #expect(resident > 1_000_000 && virtual > resident)
        #expect(resident.truncatingRemainder(dividingBy: 4096) == 0)
        #expect(exposition.value("process_open_fds") >= 3)
        #expect(exposition.value("process_max_fds") >= 64)
        #expect(exposition.value("process_start_time_seconds") > 1_600_000_000)
    }

    @Test func httpRequestsAreCountedByRouteAndCode() {
        let metrics = SextonMetrics(maxTargetTypes: 50)
        metrics.recordHTTPRequest(listener: "api", route: "/v1/operations/{id}", code: 404)
        metrics.recordHTTPRequest(listener: "api", route: "/v1/operations/{id}", code: 404)
        metrics.recordHTTPRequest(listener: "telemetry", route: "/metrics", code: 200)
        let exposition = MetricSamples(metrics.render(GaugeReadings()))
        #expect(exposition.value("sexton_http_requests_total", ["listener": "api", "route": "/v1/operations/{id}", "code": "404"]) == 2)
        #expect(exposition.value("sexton_http_requests_total", ["listener": "telemetry", "route": "/metrics", "code": "200"]) == 1)
    }
}

extension SextonMetricsTests {
    @Test func httpRequestsFamilyIsThereBeforeAnyRequest() {
        let exposition = MetricSamples(SextonMetrics(maxTargetTypes: 50).render(GaugeReadings()))
        #expect(exposition.type["sexton_http_requests_total"] == "counter")
        #expect(exposition.value("sexton_http_requests_total", ["listener": "telemetry", "route": "/metrics", "code": "200"]) == 0)
    }
}

@Suite struct DecimalLineTests {
    @Test(arguments: [0, 7, 10, 99, 100, 1_234_567, Int.max])
    func writesTheNumberAndANewline(value: Int) {
        var buffer: [UInt8] = Array("x ".utf8)
        buffer.appendDecimalLine(value)
        #expect(String(decoding: buffer, as: UTF8.self) == "x \(value)\n")
    }
}
