import Logging
import SextonCore
import SextonTelemetry

/// The cleanup engine's observer in the sidecar: metrics for everything, and a log line for
/// what an operator reads (dry-run candidates, handler failures).
struct CleanupLog: CleanupObserver {
    let metrics: SextonMetrics
    let logger: Logger

    func zombieCleaned(_ zombie: Zombie, strategy: StrategyLabel, latency: Duration, ageAtCleanup: Duration) {
        metrics.zombieCleaned(zombie, strategy: strategy, latency: latency, ageAtCleanup: ageAtCleanup)
        // An operator's purge runs no handler: the log line is the record of what went.
        if strategy == .manual {
            logger.notice("purged zombie", metadata: [
                "operation": "\(zombie.operationID)", "ecs_id": "\(zombie.entity)", "target": "\(zombie.target)",
                "target_type": "\(zombie.targetType)", "op_type": "\(zombie.opType)", "priority": "\(zombie.priority.value)",
                "status": "\(zombie.status.rawValue)", "reason": "\(zombie.reason.rawValue)",
                "age_seconds": "\(ageAtCleanup.seconds)",
            ])
        }
    }

    func cleanupFailed(_ zombie: Zombie, strategy: StrategyLabel, handler: String, error: any Error, exhausted: Bool) {
        metrics.cleanupFailed(zombie, strategy: strategy, handler: handler, error: error, exhausted: exhausted)
        logger.warning("cleanup handler failed", metadata: [
            "handler": "\(handler)", "operation": "\(zombie.operationID)", "strategy": "\(strategy.rawValue)",
            "error": "\(error)", "retries_exhausted": "\(exhausted)",
        ])
    }

    func cleanupTriggered(_ trigger: AdaptiveTrigger) { metrics.cleanupTriggered(trigger) }

    func dryRunCandidate(_ zombie: Zombie, strategy: StrategyLabel) {
        logger.info("dry run: would remove zombie", metadata: [
            "operation": "\(zombie.operationID)", "ecs_id": "\(zombie.entity)", "strategy": "\(strategy.rawValue)",
        ])
    }

    func passFinished(_ result: CleanupPassResult) { metrics.passFinished(result) }
}
