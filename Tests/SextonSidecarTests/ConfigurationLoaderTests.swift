import Foundation
import SextonCore
import Testing
@testable import SextonSidecar

/// A temporary directory holding configuration files for one test; removed when released.
final class ConfigFixture {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sexton-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Writes `text` to `name` and returns its path.
    func write(_ text: String, to name: String = "sexton.yaml") throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}

/// Loads and expects success, recording the problems otherwise.
func loadValid(file: String? = nil, environment: [String: String] = [:], arguments: [String] = []) throws -> SextonConfiguration {
    let result = ConfigurationLoader.load(file: file, environment: environment, arguments: arguments)
    if case .failure(let errors) = result { Issue.record("unexpected configuration errors:\n\(errors)") }
    return try result.get()
}

/// Loads and expects failure.
func loadInvalid(file: String? = nil, environment: [String: String] = [:], arguments: [String] = []) throws -> ConfigurationErrors {
    guard case .failure(let errors) = ConfigurationLoader.load(file: file, environment: environment, arguments: arguments) else {
        Issue.record("expected configuration errors")
        throw ConfigurationErrors()
    }
    return errors
}

extension ConfigurationErrors {
    func issue(_ key: String) -> ConfigIssue? { issues.first { $0.key == key } }
}

@Suite struct ConfigurationLoaderTests {
    @Test func defaultsWithoutFileEnvironmentOrFlags() throws {
        let config = try loadValid()
        #expect(config == SextonConfiguration())
        #expect(config.listen.api == ListenAddress(host: "127.0.0.1", port: 7477))
        #expect(config.listen.telemetry == ListenAddress(host: "0.0.0.0", port: 9477))
        #expect(config.coordinator == CoordinatorConfig())
        #expect(config.cleanup == CleanupConfig())
        #expect(config.limits.maxBodyBytes == 65_536 && config.limits.maxConnections == 1024)
        #expect(config.limits.connectionTimeout == .seconds(30))
        #expect(config.memory == MemoryConfig() && config.memory.cgroupRoot == "/sys/fs/cgroup" && config.memory.meminfo == "/proc/meminfo")
        #expect(config.shutdownTimeout == .seconds(10))
        #expect(config.admin.token == nil && config.policies.isEmpty && config.handlers.isEmpty)
    }

    @Test func emptyFileMeansDefaults() throws {
        let fixture = try ConfigFixture()
        #expect(try loadValid(file: fixture.write("# nothing set\n")) == SextonConfiguration())
    }

    @Test func fullFileSetsEveryKey() throws {
        let fixture = try ConfigFixture()
        let audit = fixture.directory.appendingPathComponent("audit.jsonl").path
        let tokenFile = try fixture.write("s3cret\n", to: "token")
        let file = try fixture.write("""
            listen:
              api: "[::1]:8000"
              telemetry: 127.0.0.1:0
            coordinator:
              staging_window: 0s
              grace_period: 250ms
              protect_executing: true
              lease_timeout: 1h30m
              max_ops_per_target: 30
              max_staging_size: 500
              history_retention: 2m
              max_target_types: 7
            cleanup:
              strategy: custom
              retention: 5m
              max_zombie_age: 2h
              check_interval: 15s
              aggressive_on_memory_pressure: false
              memory_pressure_threshold: 0.5
              force_cleanup_threshold: 200
              max_zombies_per_target: 3
              immediate_priorities: [critical, 7, low]
              resource_heavy_operations: [reindex, db.migrate]
              debug_important_operations: [payment]
              debug_mode: true
              dry_run: true
              custom_handler: audit
              retry:
                max_attempts: 5
                initial_delay: 500ms
                multiplier: 3
            policies:
              db.migrate:
                strategy: deferred
                retention: 1h
                retry:
                  max_attempts: 9
              thumbnail:
                strategy: immediate
            handlers:
              audit:
                type: audit_log
                path: \(audit)
              hook:
                type: webhook
                url: https://example.com/zombies
                timeout: 2s
                headers:
                  Authorization: Bearer abc
                retention: 10s
            health:
              zombie_count_warn: 10
              zombie_count_fail: 20
              zombie_age_warn: 1h
              zombie_age_fail: 2h
              memory_pressure_warn: 0.5
              memory_pressure_fail: 0.6
              staging_warn_ratio: 0.7
              resolution_latency_warn: 50ms
            admin:
              token_file: \(tokenFile)
            limits:
              max_body_bytes: 2048
              max_connections: 10
              connection_timeout: 5s
            memory:
              source: meminfo
              cgroup_root: /tmp/cg
              meminfo: /tmp/meminfo
            shutdown_timeout: 3s
            """)
        let config = try loadValid(file: file)

        #expect(config.listen.api == ListenAddress(host: "::1", port: 8000))
        #expect(config.listen.telemetry == ListenAddress(host: "127.0.0.1", port: 0))
        var coordinator = CoordinatorConfig()
        coordinator.stagingWindow = .zero
        coordinator.gracePeriod = .milliseconds(250)
        coordinator.protectExecuting = true
        coordinator.leaseTimeout = .seconds(5400)
        coordinator.maxOpsPerTarget = 30
        coordinator.maxStagingSize = 500
        coordinator.historyRetention = .seconds(120)
        #expect(config.coordinator == coordinator)
        #expect(config.maxTargetTypes == 7)

        var cleanup = CleanupConfig()
        cleanup.strategy = .custom
        cleanup.retention = .seconds(300)
        cleanup.maxZombieAge = .seconds(7200)
        cleanup.checkInterval = .seconds(15)
        cleanup.aggressiveOnMemoryPressure = false
        cleanup.memoryPressureThreshold = 0.5
        cleanup.forceCleanupThreshold = 200
        cleanup.maxZombiesPerTarget = 3
        cleanup.immediatePriorities = [10, 7, 2, 3, 4]
        cleanup.resourceHeavyOperations = ["reindex", "db.migrate"]
        cleanup.debugImportantOperations = ["payment"]
        cleanup.debugMode = true
        cleanup.dryRun = true
        cleanup.customHandler = "audit"
        cleanup.retry.maxAttempts = 5
        cleanup.retry.initialDelay = .milliseconds(500)
        cleanup.retry.multiplier = 3
        #expect(config.cleanup == cleanup)

        var migrate = CleanupOverride()
        migrate.strategy = .deferred
        migrate.retention = .seconds(3600)
        var migrateRetry = cleanup.retry
        migrateRetry.maxAttempts = 9
        migrate.retry = migrateRetry
        var thumbnail = CleanupOverride()
        thumbnail.strategy = .immediate
        #expect(config.policies == ["db.migrate": migrate, "thumbnail": thumbnail])
        #expect(config.cleanupConfig(forOpType: "db.migrate").retry == migrateRetry)
        #expect(config.cleanupConfig(forOpType: "db.migrate").checkInterval == .seconds(15))
        #expect(config.cleanupConfig(forOpType: "other") == cleanup)

        #expect(config.handlers == [
            "audit": HandlerConfig(kind: .auditLog(path: audit)),
            "hook": HandlerConfig(
                kind: .webhook(WebhookConfig(url: "https://example.com/zombies", timeout: .seconds(2), headers: ["Authorization": "Bearer abc"])),
                retention: .seconds(10)),
        ])

        var health = HealthThresholds()
        health.zombieCountWarn = 10
        health.zombieCountFail = 20
        health.zombieAgeWarn = .seconds(3600)
        health.zombieAgeFail = .seconds(7200)
        health.memoryPressureWarn = 0.5
        health.memoryPressureFail = 0.6
        health.stagingWarnRatio = 0.7
        health.resolutionLatencyWarn = .milliseconds(50)
        #expect(config.health == health)

        #expect(config.admin.tokenFile == tokenFile)
        #expect(config.admin.token?.matches("s3cret") == true)
        #expect(config.limits.maxBodyBytes == 2048 && config.limits.maxConnections == 10)
        #expect(config.limits.connectionTimeout == .seconds(5))
        #expect(config.memory.source == .meminfo && config.memory.cgroupRoot == "/tmp/cg" && config.memory.meminfo == "/tmp/meminfo")
        #expect(config.shutdownTimeout == .seconds(3))
    }

    @Test func fileThenEnvironmentThenFlags() throws {
        let fixture = try ConfigFixture()
        let file = try fixture.write("""
            cleanup:
              strategy: lazy
              retention: 1m
              check_interval: 20s
            """)
        let environment = ["SEXTON_CLEANUP_STRATEGY": "deferred", "SEXTON_CLEANUP_RETENTION": "2m", "PATH": "/usr/bin"]
        let onlyFileAndEnvironment = try loadValid(file: file, environment: environment)
        #expect(onlyFileAndEnvironment.cleanup.strategy == .deferred)
        #expect(onlyFileAndEnvironment.cleanup.retention == .seconds(120))
        #expect(onlyFileAndEnvironment.cleanup.checkInterval == .seconds(20))

        let all = try loadValid(file: file, environment: environment, arguments: ["--cleanup-strategy", "immediate"])
        #expect(all.cleanup.strategy == .immediate)
        #expect(all.cleanup.retention == .seconds(120))
        #expect(all.cleanup.checkInterval == .seconds(20))
    }

    @Test func aBadValueThatIsOverriddenIsNotAnError() throws {
        let fixture = try ConfigFixture()
        let file = try fixture.write("cleanup:\n  retention: soon\n")
        #expect(try loadValid(file: file, environment: ["SEXTON_CLEANUP_RETENTION": "5m"]).cleanup.retention == .seconds(300))
    }

    @Test func environmentVariablesNameKeyPaths() throws {
        let config = try loadValid(environment: [
            "SEXTON_COORDINATOR_STAGING_WINDOW": "0s",
            "SEXTON_LISTEN_API": "127.0.0.1:0",
            "SEXTON_CLEANUP_IMMEDIATE_PRIORITIES": "high, 3",
            "SEXTON_CLEANUP_RESOURCE_HEAVY_OPERATIONS": "reindex,db.vacuum",
            "SEXTON_CLEANUP_RETRY_MAX_ATTEMPTS": "4",
            "SEXTON_COORDINATOR_PROTECT_EXECUTING": "true",
            "SEXTON_SHUTDOWN_TIMEOUT": "1m",
        ])
        #expect(config.coordinator.stagingWindow == .zero)
        #expect(config.listen.api == ListenAddress(host: "127.0.0.1", port: 0))
        #expect(config.cleanup.immediatePriorities == [8, 9, 3])
        #expect(config.cleanup.resourceHeavyOperations == ["reindex", "db.vacuum"])
        #expect(config.cleanup.retry.maxAttempts == 4)
        #expect(config.coordinator.protectExecuting)
        #expect(config.shutdownTimeout == .seconds(60))
        #expect(ConfigurationLoader.environmentName(forKey: "cleanup.retry.max_attempts") == "SEXTON_CLEANUP_RETRY_MAX_ATTEMPTS")
    }

    @Test func flagsTakeSeparateOrJoinedValuesAndBareBooleans() throws {
        let config = try loadValid(arguments: [
            "--cleanup-strategy", "deferred",
            "--listen-api", "127.0.0.1:0",
            "--coordinator-staging-window=0s",
            "--cleanup-dry-run",
            "--coordinator-protect-executing", "false",
            "--cleanup-debug-important-operations", "a,b",
            "--cleanup-immediate-priorities=critical,background",
        ])
        #expect(config.cleanup.strategy == .deferred)
        #expect(config.listen.api.port == 0)
        #expect(config.coordinator.stagingWindow == .zero)
        #expect(config.cleanup.dryRun)
        #expect(!config.coordinator.protectExecuting)
        #expect(config.cleanup.debugImportantOperations == ["a", "b"])
        #expect(config.cleanup.immediatePriorities == [10, 1])
    }

    @Test func unknownFlagsMissingValuesAndStrayArgumentsAreErrors() throws {
        let errors = try loadInvalid(arguments: ["--cleanup-stratgy", "deferred", "--demo", "--cleanup-retention"])
        let typo = try #require(errors.issue("--cleanup-stratgy"))
        #expect(typo.allowed.contains("did you mean --cleanup-strategy?"))
        #expect(errors.issue("arguments")?.value == "deferred")
        #expect(errors.issue("--demo") != nil)
        #expect(errors.issue("cleanup.retention")?.allowed.contains("a value after --cleanup-retention") == true)
        #expect(errors.issues.count == 4)
    }

    @Test func unknownEnvironmentVariablesAreWarningsWithoutTheirValues() throws {
        let config = try loadValid(environment: ["SEXTON_CLEANUP_STRATGY": "deferred", "SEXTON_ADMIN_TOKN": "hunter2", "HOME": "/root"])
        #expect(config.warnings.count == 2)
        #expect(config.warnings.contains { $0.contains("SEXTON_CLEANUP_STRATGY") && $0.contains("SEXTON_CLEANUP_STRATEGY") })
        #expect(config.warnings.contains { $0.contains("SEXTON_ADMIN_TOKN") })
        #expect(!config.warnings.joined().contains("hunter2"))
        #expect(config.cleanup.strategy == .hybrid)
    }

    @Test func kubernetesServiceLinksAreNotMistakenForSettings() throws {
        _ = try loadValid(environment: [
            "SEXTON_SERVICE_HOST": "10.0.0.1", "SEXTON_SERVICE_PORT": "7477", "SEXTON_SERVICE_PORT_API": "7477",
            "SEXTON_PORT": "tcp://10.0.0.1:7477", "SEXTON_PORT_7477_TCP": "tcp://10.0.0.1:7477",
            "SEXTON_PORT_7477_TCP_ADDR": "10.0.0.1", "SEXTON_API_PORT_9477_TCP_PROTO": "tcp",
        ])
    }

    @Test func missingFileIsAFileProblem() throws {
        let errors = try loadInvalid(file: "/nonexistent/sexton.yaml")
        #expect(errors.fileProblems == ["/nonexistent/sexton.yaml: cannot read the configuration file: no such file"])
    }

    @Test func yamlSyntaxErrorNamesTheLineAndOtherLayersAreStillChecked() throws {
        let fixture = try ConfigFixture()
        let file = try fixture.write("cleanup:\n  strategy: lazy\n  retention: [1m\n")
        let errors = try loadInvalid(file: file, arguments: ["--limits-max-connections", "0"])
        let problem = try #require(errors.fileProblems.first)
        #expect(problem.hasPrefix("\(file): line "))
        #expect(problem.contains("invalid YAML"))
        #expect(errors.issue("limits.max_connections")?.value == "0")
    }

    @Test func topLevelMustBeAMap() throws {
        let fixture = try ConfigFixture()
        let errors = try loadInvalid(file: fixture.write("- cleanup\n"))
        #expect(errors.fileProblems.first?.contains("the top level must be a map") == true)
    }

    @Test func checkConfigReadsTheFileAlone() throws {
        let fixture = try ConfigFixture()
        let good = try fixture.write("cleanup:\n  strategy: lazy\n", to: "good.yaml")
        #expect(try ConfigurationLoader.check(file: good).get().cleanup.strategy == .lazy)
        let bad = try fixture.write("cleanup:\n  strategy: fast\n", to: "bad.yaml")
        guard case .failure(let errors) = ConfigurationLoader.check(file: bad) else { Issue.record("expected errors"); return }
        #expect(errors.lines == ["cleanup.strategy: invalid value \"fast\" (allowed: one of none, immediate, deferred, lazy, hybrid, custom)"])
    }
}
