/// Everything the engine's lock protects.
struct EngineState {
    var store: ZombieStore
    /// Weak: the coordinator holds the engine as its sink, and this would close the cycle.
    weak var remover: (any ZombieRemover)?
    var created = 0
    var cleaned = 0
    /// Immediate zombies being removed without ever entering the store (no handler to run).
    var removingUnindexed = 0
    var triggers: [AdaptiveTrigger: Int] = [:]
    var failedHandlers: Set<String> = []
    var lastFailureAt: Timestamp?
    var memoryPressure: Double?
    /// Due zombies a dry run held back at its last pass, and the lazy zombies the last
    /// sampling pass estimates expired but did not reach: the parts of the backlog only a pass
    /// can measure.
    var dryRunHeld = 0
    var lazyStaleEstimate = 0
    var lastPass: CleanupPassResult?
    var passCounter: UInt64 = 0
    var rng: SplitMix64

    /// Every zombie held, those on their way out included.
    var zombieCount: Int { store.count + removingUnindexed }

    init(maxPerTarget: Int, seed: UInt64) {
        store = ZombieStore(maxPerTarget: maxPerTarget)
        rng = SplitMix64(seed: seed)
    }
}

/// The work one lock hold hands to the caller to do outside the lock.
struct CleanupWork {
    var claims: [Claim] = []
    var reports: [(Zombie, StrategyLabel)] = []
    var triggers: [AdaptiveTrigger] = []
    var remover: (any ZombieRemover)?

    var isEmpty: Bool { claims.isEmpty && reports.isEmpty && triggers.isEmpty }
}

/// Marks a zombie whose would-be removal was already logged when it was created, so the next
/// creation on a capped target in a dry run does not log it again. Never equal to a pass id.
let reportedAtCreation = UInt64.max

extension EngineState {
    /// Takes a zombie for removal, or in a dry run reports it instead.
    mutating func take(_ slot: Int32, label: StrategyLabel, pass: UInt64, dryRun: Bool, into work: inout CleanupWork) {
        if dryRun {
            store.mark(slot, pass: pass)
            work.reports.append((store.record(slot).zombie, label))
        } else {
            work.claims.append(store.claim(slot, label: label, pass: pass, dryRun: false))
        }
    }

    mutating func count(_ trigger: AdaptiveTrigger, into work: inout CleanupWork) {
        triggers[trigger, default: 0] += 1
        work.triggers.append(trigger)
    }

    /// Takes the oldest zombies of a target beyond the per-target cap. Zombies already being
    /// removed, or already reported by this pass, count as leaving.
    mutating func evictOverCap(_ target: Int32, pass: UInt64, dryRun: Bool, countTriggers: Bool, into work: inout CleanupWork) {
        let list = store.byTarget.lists[Int(target)]
        var excess = list.count - store.maxPerTarget
        var slot = list.head
        while excess > 0, slot >= 0 {
            let next = store.byTarget.links.next[Int(slot)]
            if store.isAvailable(slot, pass: pass) {
                if countTriggers { count(.targetCap, into: &work) }
                take(slot, label: .immediate, pass: pass, dryRun: dryRun, into: &work)
            }
            excess -= 1
            slot = next
        }
    }
}
