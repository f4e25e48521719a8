import Foundation
import SextonCore
import Testing
@testable import SextonSidecar

@Suite struct ConfigurationValidationTests {
    @Test(arguments: [("250ms", 250), ("30s", 30_000), ("5m", 300_000), ("1h30m", 5_400_000), ("0s", 0), ("0", 0), ("1d", 86_400_000)])
    func durationsArePrometheusStyle(text: String, milliseconds: Int64) throws {
        let config = try loadValid(arguments: ["--cleanup-retention", text])
        #expect(config.cleanup.retention == .milliseconds(milliseconds))
    }

    @Test(arguments: ["abc", "30", "5 m", "1m1h", "-5s", "1.5s", "", "5sec"])
    func badDurationsNameKeyValueAndForm(text: String) throws {
        let errors = try loadInvalid(environment: ["SEXTON_CLEANUP_RETENTION": text])
        #expect(errors.lines == ["cleanup.retention: invalid value \"\(text)\" (allowed: a duration like 30s, 5m, 1h30m)"])
    }

    /// One row per key with a value out of its range or of the wrong form: the issue names the
    /// key, the value as written and what is allowed.
    @Test(arguments: [
        ("listen.api", "127.0.0.1:70000", "0–65535"),
        ("listen.telemetry", "nohost", "host:port"),
        ("listen.telemetry", "[::1:9477", "host:port"),
        ("coordinator.staging_window", "11s", "0s–10s"),
        ("coordinator.grace_period", "2d", "0s–1d"),
        ("coordinator.grace_period", "48h", "0s–1d"),
        ("cleanup.check_interval", "90m", "10s–1h"),
        ("health.memory_pressure_warn", "1.50", "0.0–1.0"),
        ("coordinator.protect_executing", "maybe", "true or false"),
        ("coordinator.lease_timeout", "2d", "0s–1d"),
        ("coordinator.max_ops_per_target", "0", "1–100000"),
        ("coordinator.max_staging_size", "0", "1–10000000"),
        ("coordinator.history_retention", "2d", "0s–1d"),
        ("coordinator.max_target_types", "1001", "1–1000"),
        ("coordinator.max_target_types", "many", "an integer"),
        ("cleanup.strategy", "fast", "one of none, immediate, deferred, lazy, hybrid, custom"),
        ("cleanup.retention", "2d", "0s–1d"),
        ("cleanup.max_zombie_age", "0s", "1s–30d"),
        ("cleanup.check_interval", "5s", "10s–1h"),
        ("cleanup.check_interval", "2h", "10s–1h"),
        ("cleanup.aggressive_on_memory_pressure", "sometimes", "true or false"),
        ("cleanup.memory_pressure_threshold", "0.05", "0.1–1.0"),
        ("cleanup.memory_pressure_threshold", "1.5", "0.1–1.0"),
        ("cleanup.force_cleanup_threshold", "99", "100–100000"),
        ("cleanup.force_cleanup_threshold", "100001", "100–100000"),
        ("cleanup.max_zombies_per_target", "0", "1–10000"),
        ("cleanup.max_zombies_per_target", "10001", "1–10000"),
        ("cleanup.immediate_priorities", "11", "priorities 1–10 or level names"),
        ("cleanup.immediate_priorities", "urgent", "priorities 1–10 or level names"),
        ("cleanup.resource_heavy_operations", "Bad Op", "[a-z0-9_.-]"),
        ("cleanup.debug_important_operations", "x/y", "[a-z0-9_.-]"),
        ("cleanup.debug_mode", "2", "true or false"),
        ("cleanup.dry_run", "nope", "true or false"),
        ("cleanup.custom_handler", "Bad Name", "[a-z0-9_.-]"),
        ("cleanup.retry.max_attempts", "0", "1–100"),
        ("cleanup.retry.initial_delay", "0s", "1ms–1h"),
        ("cleanup.retry.multiplier", "0.5", "1.0–10.0"),
        ("health.zombie_count_warn", "-1", "0–100000000"),
        ("health.zombie_count_fail", "100000001", "0–100000000"),
        ("health.zombie_age_warn", "400d", "0s–365d"),
        ("health.zombie_age_fail", "400d", "0s–365d"),
        ("health.memory_pressure_warn", "1.5", "0.0–1.0"),
        ("health.memory_pressure_fail", "1.5", "0.0–1.0"),
        ("health.staging_warn_ratio", "2.5", "0.0–1.0"),
        ("health.resolution_latency_warn", "2h", "0s–1h"),
        ("limits.max_body_bytes", "1023", "1024–16777216"),
        ("limits.max_body_bytes", "16777217", "1024–16777216"),
        ("limits.max_connections", "0", "1–100000"),
        ("limits.max_connections", "100001", "1–100000"),
        ("limits.connection_timeout", "500ms", "1s–1h"),
        ("limits.connection_timeout", "2h", "1s–1h"),
        ("memory.source", "swap", "one of auto, cgroup, meminfo"),
        ("memory.cgroup_root", "", "a non-empty string"),
        ("shutdown_timeout", "11m", "0s–10m"),
    ])
    func outOfRangeValueNamesKeyValueAndRange(key: String, value: String, allowed: String) throws {
        let flag = "--" + key.replacingOccurrences(of: ".", with: "-").replacingOccurrences(of: "_", with: "-")
        let errors = try loadInvalid(arguments: ["\(flag)=\(value)"])
        let issue = try #require(errors.issue(key), "\(errors)")
        #expect(issue.value == value)
        #expect(issue.allowed.contains(allowed))
    }

    @Test func rangeErrorsFromTheFileToo() throws {
        let fixture = try ConfigFixture()
        let errors = try loadInvalid(file: fixture.write("cleanup:\n  check_interval: 5s\n"))
        #expect(errors.lines == ["cleanup.check_interval: invalid value \"5s\" (allowed: 10s–1h)"])
        // As written, not re-rendered (90m would read 1h30m, 48h would read 2d).
        let written = try loadInvalid(file: fixture.write("cleanup:\n  check_interval: 90m\ncoordinator:\n  history_retention: 48h\n"))
        #expect(written.lines.sorted() == [
            "cleanup.check_interval: invalid value \"90m\" (allowed: 10s–1h)",
            "coordinator.history_retention: invalid value \"48h\" (allowed: 0s–1d)",
        ])
    }

    /// JSON has one number type: an integer written `10.0` is the integer (and `10.5` is not).
    @Test func integersMayBeWrittenWithAZeroFraction() throws {
        let config = try loadValid(arguments: ["--cleanup-immediate-priorities", "10.0,8", "--cleanup-retry-max-attempts", "4.0"])
        #expect(config.cleanup.immediatePriorities == [8, 10])
        #expect(config.cleanup.retry.maxAttempts == 4)
        #expect(try loadInvalid(arguments: ["--cleanup-immediate-priorities", "9.5"]).issue("cleanup.immediate_priorities")?.value == "9.5")
        #expect(try loadInvalid(arguments: ["--cleanup-retry-max-attempts", "2.5"]).issue("cleanup.retry.max_attempts") != nil)
    }

    @Test func priorityNamesStandForTheirBands() throws {
        let config = try loadValid(arguments: ["--cleanup-immediate-priorities", "low,normal,high,background,critical"])
        #expect(config.cleanup.immediatePriorities == Set(1...10))
        #expect(try loadValid(arguments: ["--cleanup-immediate-priorities", "normal"]).cleanup.immediatePriorities == [5, 6, 7])
    }

    @Test func unknownKeysAreErrorsWithSuggestions() throws {
        let fixture = try ConfigFixture()
        let errors = try loadInvalid(file: fixture.write("""
            cleanup:
              stratgy: deferred
            cleanupp:
              retention: 1m
            policies:
              reindex:
                check_interval: 30s
            handlers:
              audit:
                type: audit_log
                path: /tmp/a
                colour: blue
            """))
        let typo = try #require(errors.issue("cleanup.stratgy"))
        #expect(typo.value == "deferred")
        #expect(typo.allowed.contains("did you mean cleanup.strategy?"))
        #expect(errors.issue("cleanupp")?.allowed.contains("did you mean cleanup?") == true)
        #expect(errors.issue("policies.reindex.check_interval") != nil)
        #expect(errors.issue("handlers.audit.colour") != nil)
        #expect(errors.issues.count == 4)
    }

    @Test func everyErrorIsReportedAtOnce() throws {
        let fixture = try ConfigFixture()
        let file = try fixture.write("""
            listen:
              api: 127.0.0.1:99999
            coordinator:
              staging_window: soon
            cleanup:
              strategy: deferred
              retention: 0s
              check_interval: 1s
              immediate_priorities: [critical, 12]
            limits:
              max_body_bytes: 10
            shutdown_timeout: 1h
            bogus: 1
            """)
        let errors = try loadInvalid(file: file)
        #expect(Set(errors.issues.map(\.key)) == [
            "listen.api", "coordinator.staging_window", "cleanup.retention", "cleanup.check_interval",
            "cleanup.immediate_priorities", "limits.max_body_bytes", "shutdown_timeout", "bogus",
        ])
        #expect(errors.issue("cleanup.retention")?.allowed == "more than 0s when strategy is deferred")
        #expect(errors.issue("cleanup.immediate_priorities")?.value == "12")
    }

    @Test func wrongShapesAreErrors() throws {
        let fixture = try ConfigFixture()
        let errors = try loadInvalid(file: fixture.write("""
            cleanup:
              strategy: [lazy, deferred]
              immediate_priorities: {a: 1}
            coordinator: 5
            """))
        #expect(errors.issue("cleanup.strategy")?.value == "[lazy, deferred]")
        #expect(errors.issue("cleanup.immediate_priorities") != nil)
        #expect(errors.issue("coordinator")?.allowed.contains("staging_window") == true)
    }

    @Test func customHandlerMustNameAHandler() throws {
        let fixture = try ConfigFixture()
        let errors = try loadInvalid(file: fixture.write("""
            cleanup:
              strategy: custom
              custom_handler: archive
            policies:
              reindex:
                custom_handler: missing
            handlers:
              audit:
                type: audit_log
                path: /tmp/audit.jsonl
            """))
        #expect(errors.lines == [
            "cleanup.custom_handler: invalid value \"archive\" (allowed: a handler defined under handlers: audit)",
            "policies.reindex.custom_handler: invalid value \"missing\" (allowed: a handler defined under handlers: audit)",
        ])
    }

    @Test func customStrategyNeedsAHandlerName() throws {
        let errors = try loadInvalid(arguments: ["--cleanup-strategy", "custom"])
        #expect(errors.issue("cleanup.custom_handler")?.allowed.contains("when strategy is custom") == true)
    }

    @Test func aPolicyIsValidatedAsTheGlobalConfigurationWithItApplied() throws {
        let fixture = try ConfigFixture()
        let errors = try loadInvalid(file: fixture.write("""
            cleanup:
              retention: 0s
              check_interval: 1s
            policies:
              db.migrate:
                strategy: deferred
              Bad Op:
                strategy: lazy
            """))
        #expect(errors.lines.sorted() == [
            "cleanup.check_interval: invalid value \"1s\" (allowed: 10s–1h)",
            "policies.db.migrate.retention: invalid value \"0s\" (allowed: more than 0s when strategy is deferred)",
            "policies: invalid value \"Bad Op\" (allowed: op types of 1–64 characters of [a-z0-9_.-])",
        ].sorted())
    }

    @Test func handlersNeedAKnownTypeAndItsKeys() throws {
        let fixture = try ConfigFixture()
        let errors = try loadInvalid(file: fixture.write("""
            handlers:
              mail:
                type: smtp
              untyped:
                path: /tmp/x
              log:
                type: audit_log
                url: http://example.com
              hook:
                type: webhook
                url: ftp://example.com
                timeout: 1h
              bare: audit_log
            """))
        #expect(errors.issue("handlers.mail.type")?.allowed == "one of audit_log, webhook")
        #expect(errors.issue("handlers.untyped.type") != nil)
        #expect(errors.issue("handlers.log.url")?.allowed.contains("keys of a audit_log handler") == true)
        #expect(errors.issue("handlers.log.path")?.allowed == "a file path")
        #expect(errors.issue("handlers.hook.url")?.value == "ftp://example.com")
        #expect(errors.issue("handlers.hook.timeout")?.allowed == "10ms–5m")
        #expect(errors.issue("handlers.bare")?.value == "audit_log")
        #expect(errors.issues.count == 7)
    }

    @Test(arguments: [
        ("127.0.0.1:7477", "127.0.0.1", 7477), ("[::1]:9477", "::1", 9477), ("localhost:0", "localhost", 0),
        (":9477", "0.0.0.0", 9477), ("[::]:80", "::", 80),
    ])
    func listenAddresses(text: String, host: String, port: Int) throws {
        let address = try #require(ListenAddress(text))
        #expect(address == ListenAddress(host: host, port: port))
        #expect(ListenAddress(address.description) == address)
    }

    @Test(arguments: ["127.0.0.1", "127.0.0.1:", "::1:80", "[::1]", "[nothex]:80", "a b:80", "host:port"])
    func badListenAddresses(text: String) {
        #expect(ListenAddress(text) == nil)
    }
}
