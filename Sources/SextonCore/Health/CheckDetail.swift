/// What a health check's message says, rendered only when read.
enum CheckDetail: Sendable, Equatable {
    case text(String)
    case zombieCount(Int, warn: Int, fail: Int)
    case zombieAge(Duration, warn: Duration, fail: Duration)
    case workerIdle(Duration, limit: Duration)
    case exhaustedHandlers([String])
    case recentFailure(ago: Duration)
    case memoryPressure(Double, warn: Double, fail: Double)
    case staging(Int, of: Int)
    case resolutionLatency(Duration, warn: Duration)
    case storeLatency(Duration, warn: Duration)

    var message: String {
        switch self {
        case .text(let text):
            text
        case .zombieCount(let count, let warn, let fail):
            "\(count) zombies (warn above \(warn), fail above \(fail))"
        case .zombieAge(let age, let warn, let fail):
            "oldest zombie is \(age.prometheusText) old (warn above \(warn.prometheusText), fail above \(fail.prometheusText))"
        case .workerIdle(let idle, let limit):
            idle > limit
                ? "no cleanup pass finished for \(idle.prometheusText) (limit \(limit.prometheusText))"
                : "last cleanup pass \(idle.prometheusText) ago"
        case .exhaustedHandlers(let names):
            "handlers out of retries: \(names.sorted().joined(separator: ", "))"
        case .recentFailure(let ago):
            "a cleanup failed \(ago.prometheusText) ago"
        case .memoryPressure(let pressure, let warn, let fail):
            "memory pressure \(Self.percent(pressure)) (warn above \(Self.percent(warn)), fail above \(Self.percent(fail)))"
        case .staging(let staged, let capacity):
            "\(staged) of \(capacity) staging slots in use"
        case .resolutionLatency(let p99, let warn):
            "p99 conflict resolution over the last minute is \(p99.seconds * 1000) ms (warn above \(warn.prometheusText))"
        case .storeLatency(let p99, let warn):
            "p99 store round trip over the last minute is \(p99.seconds * 1000) ms (warn above \(warn.prometheusText))"
        }
    }

    private static func percent(_ ratio: Double) -> String { "\(Int((ratio * 100).rounded()))%" }
}
