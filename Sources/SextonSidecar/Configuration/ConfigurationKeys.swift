import SextonCore

/// Every key of CONTRACT §3.4 and §7 that has a fixed place. `policies` and `handlers` hold
/// names the user chooses, so they are read apart (`PolicySection`, `HandlerSection`).
enum ConfigurationKeys {
    static var all: [Setting<SextonConfiguration>] {
        [
            .value("listen.api", .address, \.listen.api),
            .value("listen.telemetry", .address, \.listen.telemetry),
            .value("coordinator.staging_window", .duration, \.coordinator.stagingWindow),
            .value("coordinator.grace_period", .duration, \.coordinator.gracePeriod),
            .value("coordinator.protect_executing", .boolean, \.coordinator.protectExecuting),
            .value("coordinator.lease_timeout", .duration, \.coordinator.leaseTimeout),
            .value("coordinator.max_ops_per_target", .integer, \.coordinator.maxOpsPerTarget),
            .value("coordinator.max_staging_size", .integer, \.coordinator.maxStagingSize),
            .value("coordinator.history_retention", .duration, \.coordinator.historyRetention),
            .value("coordinator.max_history", .integer, \.coordinator.maxHistory),
            .value("coordinator.max_targets", .integer, \.coordinator.maxTargets),
            .value("coordinator.max_target_types", .integer, \.maxTargetTypes),
        ]
            + cleanup.map { $0.scoped("cleanup", \SextonConfiguration.cleanup) }
            + [
                .value("health.zombie_count_warn", .integer, \.health.zombieCountWarn),
                .value("health.zombie_count_fail", .integer, \.health.zombieCountFail),
                .value("health.zombie_age_warn", .duration, \.health.zombieAgeWarn),
                .value("health.zombie_age_fail", .duration, \.health.zombieAgeFail),
                .value("health.memory_pressure_warn", .number, \.health.memoryPressureWarn),
                .value("health.memory_pressure_fail", .number, \.health.memoryPressureFail),
                .value("health.staging_warn_ratio", .number, \.health.stagingWarnRatio),
                .value("health.resolution_latency_warn", .duration, \.health.resolutionLatencyWarn),
                .value("health.store_latency_warn", .duration, \.health.storeLatencyWarn),
                .optional("admin.token_file", .text, \.admin.tokenFile),
                .value("limits.max_body_bytes", .integer, \.limits.maxBodyBytes),
                .value("limits.max_connections", .integer, \.limits.maxConnections),
                .value("limits.max_connections_per_client", .integer, \.limits.maxConnectionsPerClient),
                .value("limits.connection_timeout", .duration, \.limits.connectionTimeout),
                .value("memory.source", .oneOf, \.memory.source),
                .value("memory.cgroup_root", .text, \.memory.cgroupRoot),
                .value("memory.meminfo", .text, \.memory.meminfo),
                .value("shutdown_timeout", .duration, \.shutdownTimeout),
                .value("store.backend", .oneOf, \.store.backend),
                .value("store.replica", .textOrEmpty, \.store.replica),
                .value("store.postgres.url", .postgresURL, \.store.postgres.url),
                .value("store.postgres.password_file", .textOrEmpty, \.store.postgres.passwordFile),
                .value("store.postgres.schema", .text, \.store.postgres.schema),
                .value("store.postgres.max_connections", .integer, \.store.postgres.maxConnections),
                .value("store.postgres.connect_timeout", .duration, \.store.postgres.connectTimeout),
            ]
    }

    /// The keys of the `cleanup:` section, relative to it; policies use the subset in
    /// `CleanupOverride.fields`.
    static var cleanup: [Setting<CleanupConfig>] {
        [
            .value("strategy", .oneOf, \.strategy),
            .value("retention", .duration, \.retention),
            .value("max_zombie_age", .duration, \.maxZombieAge),
            .value("check_interval", .duration, \.checkInterval),
            .value("aggressive_on_memory_pressure", .boolean, \.aggressiveOnMemoryPressure),
            .value("memory_pressure_threshold", .number, \.memoryPressureThreshold),
            .value("force_cleanup_threshold", .integer, \.forceCleanupThreshold),
            .value("max_zombies_per_target", .integer, \.maxZombiesPerTarget),
            .value("immediate_priorities", .priorities, \.immediatePriorities),
            .value("resource_heavy_operations", .opTypes, \.resourceHeavyOperations),
            .value("debug_important_operations", .opTypes, \.debugImportantOperations),
            .value("debug_mode", .boolean, \.debugMode),
            .value("dry_run", .boolean, \.dryRun),
            .optional("custom_handler", .name, \.customHandler),
            .value("retry.max_attempts", .integer, \.retry.maxAttempts),
            .value("retry.initial_delay", .duration, \.retry.initialDelay),
            .value("retry.multiplier", .number, \.retry.multiplier),
        ]
    }

    /// The keys a policy may set: those `CleanupOverride` carries.
    static var policy: [Setting<CleanupConfig>] {
        let overridable = Set(CleanupOverride.fields.map(\.key))
        return cleanup.filter { overridable.contains($0.key.split(separator: ".")[0].description) }
    }
}

extension CleanupOverride {
    /// The cleanup keys (first path component) a policy or an operation may override, each
    /// with how to copy its value out of a configuration that has it applied.
    static let fields: [(key: String, copy: @Sendable (inout CleanupOverride, CleanupConfig) -> Void)] = [
        ("strategy", { $0.strategy = $1.strategy }),
        ("retention", { $0.retention = $1.retention }),
        ("max_zombie_age", { $0.maxZombieAge = $1.maxZombieAge }),
        ("immediate_priorities", { $0.immediatePriorities = $1.immediatePriorities }),
        ("resource_heavy_operations", { $0.resourceHeavyOperations = $1.resourceHeavyOperations }),
        ("debug_important_operations", { $0.debugImportantOperations = $1.debugImportantOperations }),
        ("debug_mode", { $0.debugMode = $1.debugMode }),
        ("custom_handler", { $0.customHandler = $1.customHandler }),
        ("retry", { $0.retry = $1.retry }),
    ]

    /// The override that sets exactly the keys written (`retry.max_attempts` sets the whole
    /// `retry`, the other retry keys keeping the base configuration's values).
    init(keys written: some Sequence<String>, from config: CleanupConfig) {
        self.init()
        let firstComponents = Set(written.map { String($0.split(separator: ".")[0]) })
        for field in Self.fields where firstComponents.contains(field.key) {
            field.copy(&self, config)
        }
    }
}
