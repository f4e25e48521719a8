/// Gauges and cumulative counters, summed over the shards. The counters satisfy CONTRACT §2.3:
/// `submitted == staged + admitted + rejectedInStaging`,
/// `admitted == active + succeeded + failed + preempted + expired + cancelled`,
/// `zombiesCreated == preempted + failed + expired == zombiesInRegistry + zombiesRemoved`.
public struct CoordinatorSnapshot: Sendable, Equatable {
    public var staged = 0
    /// Admitted or executing.
    public var active = 0
    public var registryEntities = 0
    public var zombiesInRegistry = 0
    /// Operations the coordinator remembers, by status (history included).
    public var byStatus: [OperationStatus: Int] = [:]

    public var submitted = 0
    public var admitted = 0
    public var rejectedInStaging = 0
    public var succeeded = 0
    public var failed = 0
    public var preempted = 0
    public var expired = 0
    public var cancelled = 0
    public var zombiesRemoved = 0
    public var gracePeriodSaves = 0
    public var resolutions = 0
    public var conflicts = 0
    /// Ended operations remembered now, and those forgotten early because of `max_history`.
    public var history = 0
    public var historyEvictions = 0
    /// Targets remembered now, and idle ones forgotten because of `max_targets`.
    public var targets = 0
    public var targetsEvicted = 0

    public init() {}

    /// Sets the per-status figures from counts by `OperationStatus.ordinal`.
    mutating func setStatusCounts(_ counts: [Int]) {
        byStatus = Dictionary(uniqueKeysWithValues: zip(OperationStatus.allCases, counts))
        staged = counts[OperationStatus.staged.ordinal]
        active = counts[OperationStatus.admitted.ordinal] + counts[OperationStatus.executing.ordinal]
    }

    public var zombiesCreated: Int { preempted + failed + expired }
}

/// One shard's share of the snapshot.
struct ShardCounters {
    var submitted = 0
    var admitted = 0
    var rejectedInStaging = 0
    var succeeded = 0
    var failed = 0
    var preempted = 0
    var expired = 0
    var cancelled = 0
    var zombiesInRegistry = 0
    var zombiesRemoved = 0
    var gracePeriodSaves = 0
    var resolutions = 0
    var conflicts = 0
    var byStatus = [Int](repeating: 0, count: OperationStatus.allCases.count)

    /// Adds this shard's counters; `byStatus` (by `ordinal`) becomes the snapshot's dictionary
    /// once all shards are in, which spares a dictionary update per status and shard.
    func add(to snapshot: inout CoordinatorSnapshot, byStatus total: inout [Int]) {
        snapshot.submitted += submitted
        snapshot.admitted += admitted
        snapshot.rejectedInStaging += rejectedInStaging
        snapshot.succeeded += succeeded
        snapshot.failed += failed
        snapshot.preempted += preempted
        snapshot.expired += expired
        snapshot.cancelled += cancelled
        snapshot.zombiesInRegistry += zombiesInRegistry
        snapshot.zombiesRemoved += zombiesRemoved
        snapshot.gracePeriodSaves += gracePeriodSaves
        snapshot.resolutions += resolutions
        snapshot.conflicts += conflicts
        for index in total.indices { total[index] += byStatus[index] }
    }
}

extension OperationStatus {
    /// Position in `allCases`, for per-status counter arrays.
    var ordinal: Int {
        switch self {
        case .staged: 0
        case .admitted: 1
        case .executing: 2
        case .succeeded: 3
        case .failed: 4
        case .rejected: 5
        case .expired: 6
        case .cancelled: 7
        }
    }
}
