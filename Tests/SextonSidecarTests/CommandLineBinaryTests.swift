import Foundation
import Testing

/// `check-config`, configuration precedence, `simulate` and `version` through the real binary
/// (CONTRACT §7, §8).
@Suite struct CommandLineBinaryTests {
    @Test func aValidFileChecksClean() throws {
        let file = try temporaryFile("""
            coordinator:
              staging_window: 5ms
              grace_period: 250ms
            cleanup:
              strategy: deferred
              retention: 10m
              check_interval: 30s
            health:
              zombie_count_warn: 10
              zombie_count_fail: 100
            shutdown_timeout: 5s

            """)
        let run = try SextonProcess.run(["check-config", file])
        #expect(run.code == 0, "\(run.output)")
    }

    /// Every error at once, each naming its key, the value found and what is allowed.
    @Test func aFileWithSeveralErrorsPrintsEveryOneAndExits2() throws {
        let file = try temporaryFile("""
            coordinator:
              max_ops_per_target: 0
              grace_period: 2d
            cleanup:
              check_interval: 1s
              memory_pressure_threshold: 2.5
              strategy: sometimes
            limits:
              max_body_bytes: 10

            """)
        let run = try SextonProcess.run(["check-config", file])
        #expect(run.code == 2)
        let lines = run.output.split(separator: "\n").map(String.init)
        let expected: [(key: String, value: String)] = [
            ("coordinator.max_ops_per_target", "0"), ("coordinator.grace_period", "2d"),
            ("cleanup.check_interval", "1s"), ("cleanup.memory_pressure_threshold", "2.5"),
            ("cleanup.strategy", "sometimes"), ("limits.max_body_bytes", "10"),
        ]
        for (key, value) in expected {
            let line = lines.first { $0.contains(key) }
            #expect(line?.contains("\"\(value)\"") == true, "\(key): \(run.output)")
            #expect(line?.contains("allowed") == true, "\(key): \(run.output)")
        }
        let ranges = [("coordinator.max_ops_per_target", "1–100000"), ("cleanup.check_interval", "10s"), ("limits.max_body_bytes", "1024")]
        for (key, bound) in ranges {
            #expect(lines.first { $0.contains(key) }?.contains(bound) == true, "\(key) lacks \(bound): \(run.output)")
        }
        #expect(lines.first { $0.contains("cleanup.strategy") }?.contains("hybrid") == true)
    }

    /// The caps of CONTRACT §2.2 by file, variable and flag: out of range is refused with the
    /// range, in range is taken.
    @Test func theMemoryCapsAreValidatedEverywhere() throws {
        let file = try temporaryFile("coordinator:\n  max_history: 999\n  max_targets: 2000000000\n")
        let run = try SextonProcess.run(["check-config", file])
        #expect(run.code == 2)
        #expect(run.output.contains("coordinator.max_history") && run.output.contains("\"999\"") && run.output.contains("1000–100000000"), "\(run.output)")
        #expect(run.output.contains("coordinator.max_targets") && run.output.contains("1000–1000000000"), "\(run.output)")
        let flag = try SextonProcess.run(["serve", "--coordinator-max-history", "abc"])
        #expect(flag.code == 2 && flag.output.contains("coordinator.max_history"), "\(flag.output)")
        let variable = try SextonProcess.run(["serve"], environment: ["SEXTON_COORDINATOR_MAX_TARGETS": "10"])
        #expect(variable.code == 2 && variable.output.contains("coordinator.max_targets"), "\(variable.output)")
        #expect(try SextonProcess.run(["check-config", try temporaryFile("coordinator:\n  max_history: 1000\n  max_targets: 1000\n")]).code == 0)
    }

    /// Past `max_history` the oldest ended operations answer 404 and are counted.
    @Test func historyPastItsCapIsForgottenAndCounted() throws {
        let sexton = try SextonProcess(["--coordinator-max-history", "1000", "--coordinator-staging-window", "0s"])
        #expect(try sexton.submit("held", ["id": "holder", "priority": "critical"]).status == 200)
        for i in 0..<1100 {
            // Refused at once (target_busy): each ends and enters history.
            #expect(try sexton.submit("held", ["id": "r\(i)", "priority": "low"]).status == 409)
        }
        let m = try sexton.metrics()
        #expect(m.value("sexton_history_evictions_total") == 100)
        #expect(m.value("sexton_targets_evicted_total") == 0)
        #expect(try sexton.get("/v1/operations/r99").status == 404)
        #expect(try sexton.get("/v1/operations/r100").status == 200)
        #expect(try sexton.get("/v1/operations/holder").status == 200)
        #expect(sexton.stop() == 0)
    }

    @Test func checkConfigIgnoresEnvironmentAndReportsMissingFiles() throws {
        let file = try temporaryFile("cleanup:\n  strategy: lazy\n")
        let run = try SextonProcess.run(["check-config", file], environment: ["SEXTON_CLEANUP_STRATEGY": "bogus"])
        #expect(run.code == 0, "\(run.output)")
        let missing = try SextonProcess.run(["check-config", "/nonexistent/sexton.yaml"])
        #expect(missing.code == 2)
        #expect(missing.output.contains("/nonexistent/sexton.yaml"))
    }

    @Test func laterSourcesWinFileThenEnvironmentThenFlags() throws {
        let config = "cleanup:\n  strategy: deferred\n"
        let environment = ["SEXTON_ADMIN_TOKEN": "t0ken", "SEXTON_CLEANUP_STRATEGY": "lazy"]
        let bearer = ["Authorization": "Bearer t0ken"]

        let fileOnly = try SextonProcess(environment: ["SEXTON_ADMIN_TOKEN": "t0ken"], config: config)
        #expect(try strategy(in: fileOnly.call("GET", "/admin/cleanup/status", headers: bearer)) == "deferred")

        let withEnvironment = try SextonProcess(environment: environment, config: config)
        #expect(try strategy(in: withEnvironment.call("GET", "/admin/cleanup/status", headers: bearer)) == "lazy")

        let withFlag = try SextonProcess(["--cleanup-strategy", "none"], environment: environment, config: config)
        #expect(try strategy(in: withFlag.call("GET", "/admin/cleanup/status", headers: bearer)) == "none")
    }

    @Test(arguments: [
        (["--cleanup-check-interval", "1s"], [String: String](), "cleanup.check_interval"),
        ([], ["SEXTON_CLEANUP_STRATEGY": "bogus"], "cleanup.strategy"),
        (["--no-such-flag", "1"], [:], "--no-such-flag"),
    ])
    func serveWithAnInvalidConfigurationExits2BeforeBinding(flags: [String], environment: [String: String], key: String) throws {
        let run = try SextonProcess.run(
            ["serve", "--listen-api", "127.0.0.1:0", "--listen-telemetry", "127.0.0.1:0"] + flags, environment: environment)
        #expect(run.code == 2)
        #expect(run.output.contains(key), "\(run.output)")
        #expect(!run.output.contains("listening"), "\(run.output)")
    }

    @Test func simulateChecksTheAccountingIdentities() throws {
        let run = try SextonProcess.run(["simulate", "--duration", "3s", "--rate", "2000", "--seed", "7"])
        #expect(run.code == 0, "\(run.output)")
        let identities = run.output.split(separator: "\n").filter { $0.contains(" = ") && ($0.contains("ok") || $0.contains("FAIL")) }
        #expect(identities.count == 4, "\(run.output)")
        for line in identities {
            #expect(line.trimmingCharacters(in: .whitespaces).hasPrefix("ok"), "\(line)")
        }
        #expect(!run.output.contains("FAIL"))
    }

    /// The summary's figure after `label` (the first number on its line).
    private func figure(_ label: String, in output: String) throws -> Double {
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix(label) }, "no \(label) in \(output)")
        let rest = line.dropFirst(label.count).drop { !$0.isNumber }
        return try #require(Double(rest.prefix { $0.isNumber || $0 == "." }), "\(line)")
    }

    /// Far beyond capacity the run still ends on time, keeps the reference's shape (its admitted
    /// share within a few points of a run at a low rate) and its identities exact.
    @Test func simulateKeepsItsDurationAndShapeAtAnyRate() throws {
        let low = try SextonProcess.run(["simulate", "--duration", "3s", "--rate", "10000", "--seed", "3"])
        let high = try SextonProcess.run(["simulate", "--duration", "3s", "--rate", "10000000", "--seed", "3"])
        for run in [low, high] {
            #expect(run.code == 0, "\(run.output)")
            #expect(!run.output.contains("FAIL"))
        }
        let elapsed = try figure("sexton simulate:", in: high.output)
        #expect(abs(elapsed - 3) <= 0.15, "ran \(elapsed) s")
        func share(_ output: String) throws -> Double {
            let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("operations admitted") })
            return try #require(Double(line.split(separator: "(").last!.prefix { $0.isNumber || $0 == "." }))
        }
        let lowShare = try share(low.output)
        let highShare = try share(high.output)
        #expect(lowShare > 5, "\(low.output)")
        #expect(abs(highShare - lowShare) <= 3, "admitted \(highShare)% at 10M/s, \(lowShare)% at 10k/s")
        // Overloaded, and it says so.
        #expect(try figure("behind schedule at the end", in: high.output) > 0)
    }

    @Test func versionPrintsTheVersion() throws {
        let run = try SextonProcess.run(["version"])
        #expect(run.code == 0)
        #expect(run.output.wholeMatch(of: /sexton \d+\.\d+\.\d+\S* \(swift [^)]+\)\n/) != nil, "\(run.output)")
        let flag = try SextonProcess.run(["--version"])
        #expect(flag.code == 0)
        #expect(run.output.contains(flag.output.trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}
