import Prometheus
import SextonCore
import Synchronization

/// The gauge families, set from a `GaugeReadings` at each scrape.
final class ScrapeGauges: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let targetTypes: TargetTypeLabels
    private let staged: Gauge
    private let active: Gauge
    private let registryEntities: Gauge
    private let oldestZombieAge: Gauge
    private let backlog: Gauge
    private let lastRun: Gauge
    private let workerUp: Gauge
    private let memoryPressure: Gauge
    private let healthStatus: Gauge
    private let storeUp: Gauge
    private let checkStates: [HealthCheck: Gauge]
    /// Series of `sexton_zombies` created so far; a type whose zombies are gone reads 0.
    private let zombieSeries = Mutex<[String: Gauge]>([:])

    init(registry: PrometheusCollectorRegistry, targetTypes: TargetTypeLabels) {
        let r = registry
        self.registry = registry
        self.targetTypes = targetTypes
        staged = r.gauge(name: "sexton_staged_operations", help: "Operations waiting in staging for their batch to resolve.")
        active = r.gauge(name: "sexton_active_operations", help: "Admitted or executing operations.")
        registryEntities = r.gauge(name: "sexton_registry_entities", help: "Entities in the registry: active, recently succeeded and zombie operations.")
        oldestZombieAge = r.gauge(name: "sexton_oldest_zombie_age_seconds", help: "Age of the oldest zombie in seconds, 0 when there is none.")
        backlog = r.gauge(name: "sexton_cleanup_backlog", help: "Zombies due for removal that have not been removed yet.")
        lastRun = r.gauge(name: "sexton_cleanup_last_run_timestamp_seconds", help: "When the last cleanup pass finished, in seconds since the epoch.")
        workerUp = r.gauge(name: "sexton_cleanup_worker_up", help: "1 while the background cleanup worker runs.")
        memoryPressure = r.gauge(name: "sexton_memory_pressure_ratio", help: "Memory in use over the limit (cgroup or host), 0 to 1, as last sampled.")
        healthStatus = r.gauge(name: "sexton_health_status", help: "Overall health: 0 healthy, 1 degraded, 2 unhealthy.")
        storeUp = r.gauge(name: "sexton_store_up", help: "1 while the store answers, 0 while it cannot be reached (always 1 for memory).")
        checkStates = Dictionary(uniqueKeysWithValues: HealthCheck.allCases.map {
            ($0, r.gauge(name: "sexton_health_check_state", labels: [("check", $0.rawValue)],
                             help: "State of each health check: 0 ok, 1 warn, 2 fail."))
        })
        zombieSeries.withLock { $0[TargetTypeLabels.preinitialized] = makeZombieGauge(TargetTypeLabels.preinitialized) }
    }

    private func makeZombieGauge(_ label: String) -> Gauge {
        registry.gauge(name: "sexton_zombies", labels: [("target_type", label)], help: "Zombies awaiting cleanup, by target type.")
    }

    func update(_ readings: GaugeReadings) {
        staged.set(Double(readings.staged))
        active.set(Double(readings.active))
        registryEntities.set(Double(readings.registryEntities))
        oldestZombieAge.set(readings.oldestZombieAge?.seconds ?? 0)
        backlog.set(Double(readings.cleanupBacklog))
        lastRun.set(readings.lastCleanupRun?.secondsSinceEpoch ?? 0)
        workerUp.set(readings.workerUp ? 1.0 : 0.0)
        memoryPressure.set(readings.memoryPressure ?? 0)
        storeUp.set(readings.storeUp ? 1.0 : 0.0)
        if let health = readings.health {
            healthStatus.set(Double(health.status.rawValue))
            for (check, gauge) in checkStates {
                gauge.set(Double(health.checks[check]?.state.rawValue ?? 0))
            }
        }
        let folded = targetTypes.fold(readings.zombiesByTargetType)
        zombieSeries.withLock { series in
            for label in folded.keys where series[label] == nil {
                series[label] = makeZombieGauge(label)
            }
            for (label, gauge) in series {
                gauge.set(Double(folded[label] ?? 0))
            }
        }
    }
}
