/// Where operations are decided and kept (CONTRACT §10): the in-process coordinator
/// (`MemoryOperationStore`) or a store shared by every replica. Each call answers through
/// `done`: at once for the memory store, so the hot path creates no task and never suspends;
/// later for a store that does I/O. `done` is called exactly once, never under a lock.
public protocol OperationStore: Sendable {
    typealias Done<T> = @Sendable (Result<T, SextonError>) -> Void

    /// The lease an admitted operation must keep (0: none), so a client knows how often to
    /// heartbeat.
    var leaseTimeout: Duration { get }

    /// Submits one operation; `done` gets the decision once its batch resolves.
    func submit(_ request: OperationRequest, _ done: @escaping Done<Decision>)

    /// Resolves `requests` as one batch per target, results in request order.
    func submitBatch(_ requests: [OperationRequest], _ done: @escaping @Sendable ([Result<Decision, SextonError>]) -> Void)

    /// start, heartbeat, complete or cancel; the operation as it is afterwards.
    func apply(_ transition: Transition, to id: String, _ done: @escaping Done<OperationView>)

    /// The operation, or `not_found`.
    func operation(_ id: String, _ done: @escaping Done<OperationView>)

    /// The target and its zombies (oldest first, at most 1000); where lazy cleanup meets them.
    func target(_ name: String, _ done: @escaping Done<TargetReport>)

    /// Zombies, oldest first.
    func zombies(_ query: ZombieQuery, _ done: @escaping Done<[TrackedZombie]>)
}

public struct TargetReport: Sendable {
    public var target: TargetView
    public var zombies: [TrackedZombie]

    public init(target: TargetView, zombies: [TrackedZombie]) {
        self.target = target
        self.zombies = zombies
    }
}

public struct ZombieQuery: Sendable, Equatable {
    public var target: String?
    public var targetType: String?
    public var limit: Int

    public init(target: String? = nil, targetType: String? = nil, limit: Int = 100) {
        self.target = target
        self.targetType = targetType
        self.limit = limit
    }
}
