#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import SextonCore
import SextonHTTP
import Synchronization

/// `sexton simulate`: the workload against an in-process core for a fixed time, then a summary
/// with the accounting identities of CONTRACT §2.3 checked.
///
/// The reference runs at 100 operations per second; a higher `--rate` replays the same schedule
/// that much faster on a clock the workload moves (every window, grace period, lease and
/// retention is in the schedule's time), so the run measures the coordinator doing the
/// reference's work at that rate, and says how far it fell behind when it could not keep up.
public enum Simulation {
    public static let referenceRate = 100.0

    /// Runs and prints the summary; returns false when an identity does not hold.
    public static func run(
        configuration: SextonConfiguration, targets: Int, rate: Double, seed: UInt64, duration: Duration, serve: Bool,
        logger: Logger
    ) async throws -> Bool {
        let tally = SimulationTally()
        let clock = SimulatedClock(SystemClock())
        let core = SidecarCore(configuration: configuration, logger: logger, clock: clock, observer: tally)
        var telemetry: HTTPServer?
        if serve {
            let server = core.telemetryListener(router: core.telemetryRouter(), logger: logger)
            let address = try server.start()
            logger.info("listening", metadata: ["telemetry": "\(address)"])
            telemetry = server
        }
        core.engine.markStarted()
        core.set(.serving)
        var settings = Workload.Settings()
        settings.targets = targets
        settings.seed = seed
        settings.scheduleRate = min(rate, referenceRate)
        settings.speed = rate / settings.scheduleRate
        let workload = Workload(coordinator: core.coordinator, clock: clock, advance: clock.move, settings: settings)
        let started = ContinuousClock.now
        let report = await workload.run(for: duration) { await core.stepTimedWork() }
        let elapsed = ContinuousClock.now - started
        await telemetry?.stop(gracePeriod: .seconds(1))

        let summary = Summary(core: core, tally: tally, report: report, asked: rate, speed: settings.speed, elapsed: elapsed)
        print(summary.text)
        return summary.identitiesHold
    }

    struct Summary {
        var lines: [String] = []
        var identitiesHold = true

        init(core: SidecarCore, tally: SimulationTally, report: Workload.Report, asked: Double, speed: Double, elapsed: Duration) {
            let c = core.coordinator.snapshot()
            let e = core.engine.snapshot()
            func line(_ label: String, _ value: Any) { lines.append(label.padding(toLength: 34, withPad: " ", startingAt: 0) + "\(value)") }
            func ms(_ d: Duration) -> String { String(format: "%.3f ms", d.seconds * 1000) }
            let reached = Double(c.submitted) / max(elapsed.seconds, 0.001)

            lines.append("sexton simulate: \(String(format: "%.2f", elapsed.seconds)) s")
            line("rate asked / reached", String(format: "%.0f / %.0f operations/s", asked, reached))
            line("schedule", String(format: "the reference at %.0f operations/s, replayed ×%.0f", asked / speed, speed))
            line("behind schedule at the end", ms(report.behind))
            line("operations submitted", c.submitted)
            line("operations admitted", String(format: "%d (%.1f%%)", c.admitted, 100 * Double(c.admitted) / Double(max(c.submitted, 1))))
            line("rejected in staging", c.rejectedInStaging)
            line("rejections by reason", "")
            for (reason, count) in tally.rejectionsByReason.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                line("  \(reason.rawValue) (\(reason.stage.rawValue))", count)
            }
            line("succeeded / failed", "\(c.succeeded) / \(c.failed)")
            line("preempted / expired / cancelled", "\(c.preempted) / \(c.expired) / \(c.cancelled)")
            line("conflicts", c.conflicts)
            line("  mean resolution time", ms(report.resolutions.mean))
            line("  p99 resolution time", ms(report.resolutions.quantile(0.99)))
            line("  operations per conflict", String(format: "%.2f", tally.operationsPerConflict))
            line("grace period saves", c.gracePeriodSaves)
            line("zombies created", c.zombiesCreated)
            line("zombies cleaned", e.zombiesCleaned)
            line("zombies now", e.zombieCount)
            line("history kept / evicted", "\(c.history) / \(c.historyEvictions)")
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

/// The clock `simulate` moves along its schedule (never backwards); its wall time runs on from
/// the real wall clock at the start.
final class SimulatedClock: SextonClock {
    private let current: Atomic<Int64>
    private let wallOffset: Int64

    init(_ real: any SextonClock) {
        let start = real.now().nanoseconds
        current = Atomic(start)
        wallOffset = real.wallNow().nanosecondsSinceEpoch &- start
    }

    func now() -> Timestamp { Timestamp(nanoseconds: current.load(ordering: .acquiring)) }

    func wallNow() -> WallTime { WallTime(nanosecondsSinceEpoch: current.load(ordering: .acquiring) &+ wallOffset) }

    var move: @Sendable (Timestamp) -> Void {
        { [self] time in current.max(time.nanoseconds, ordering: .acquiringAndReleasing) }
    }
}
