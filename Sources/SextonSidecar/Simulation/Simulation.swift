#if canImport(Glibc)
import Glibc
#endif
import Logging
import SextonCore
import SextonHTTP

/// `sexton simulate`: the workload against an in-process core for a fixed time, then a summary
/// with the accounting identities of CONTRACT §2.3 checked.
public enum Simulation {
    /// Runs and prints the summary; returns false when an identity does not hold.
    public static func run(
        configuration: SextonConfiguration, settings: Workload.Settings, duration: Duration, serve: Bool, logger: Logger
    ) async throws -> Bool {
        let tally = SimulationTally()
        let core = SidecarCore(configuration: configuration, logger: logger, observer: tally)
        var telemetry: HTTPServer?
        if serve {
            let server = core.telemetryListener(logger: logger)
            let address = try server.start()
            logger.info("listening", metadata: ["telemetry": "\(address)"])
            telemetry = server
        }
        core.engine.markStarted()
        core.set(.serving)
        let loops = Task { await core.runLoops() }
        let started = ContinuousClock.now
        await Workload(coordinator: core.coordinator, clock: core.clock, settings: settings).run(for: duration)
        let elapsed = ContinuousClock.now - started
        loops.cancel()
        await loops.value
        await telemetry?.stop(gracePeriod: .seconds(1))

        let summary = Summary(core: core, tally: tally, elapsed: elapsed)
        print(summary.text)
        return summary.identitiesHold
    }

    struct Summary {
        var lines: [String] = []
        var identitiesHold = true

        init(core: SidecarCore, tally: SimulationTally, elapsed: Duration) {
            let c = core.coordinator.snapshot()
            let e = core.engine.snapshot()
            let conflicts = tally.conflictStatistics
            func line(_ label: String, _ value: Any) { lines.append(label.padding(toLength: 34, withPad: " ", startingAt: 0) + "\(value)") }
            func ms(_ d: Duration) -> String { String(format: "%.3f ms", d.seconds * 1000) }

            lines.append("sexton simulate: \(String(format: "%.1f", elapsed.seconds)) s")
            line("operations submitted", c.submitted)
            line("operations admitted", c.admitted)
            line("rejected in staging", c.rejectedInStaging)
            line("rejections by reason", "")
            for (reason, count) in tally.rejectionsByReason.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                line("  \(reason.rawValue) (\(reason.stage.rawValue))", count)
            }
            line("succeeded / failed", "\(c.succeeded) / \(c.failed)")
            line("preempted / expired / cancelled", "\(c.preempted) / \(c.expired) / \(c.cancelled)")
            line("conflicts", conflicts.count)
            line("  mean resolution time", ms(conflicts.mean))
            line("  p99 resolution time", ms(conflicts.p99))
            line("  operations per conflict", String(format: "%.2f", conflicts.operationsPerConflict))
            line("grace period saves", c.gracePeriodSaves)
            line("zombies created", c.zombiesCreated)
            line("zombies cleaned", e.zombiesCleaned)
            line("zombies now", e.zombieCount)
            line("throughput", String(format: "%.0f operations/s", Double(c.submitted) / max(elapsed.seconds, 0.001)))
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            line("peak memory (RSS)", String(format: "%.1f MiB", Double(usage.ru_maxrss) / 1024))

            lines.append("accounting identities:")
            check("submitted = staged + admitted + rejected_in_staging",
                  c.submitted, c.staged + c.admitted + c.rejectedInStaging)
            check("admitted = active + succeeded + failed + preempted + expired + cancelled",
                  c.admitted, c.active + c.succeeded + c.failed + c.preempted + c.expired + c.cancelled)
            check("zombies_created = preempted + failed + expired", e.zombiesCreated, c.zombiesCreated)
            check("zombies_created = zombies_now + zombies_cleaned", c.zombiesCreated, e.zombieCount + e.zombiesCleaned)
        }

        private mutating func check(_ name: String, _ left: Int, _ right: Int) {
            let holds = left == right
            identitiesHold = identitiesHold && holds
            lines.append("  \(holds ? "ok  " : "FAIL") \(name) (\(left) = \(right))")
        }

        var text: String { lines.joined(separator: "\n") }
    }
}
