import Logging
import PostgresNIO
import SextonCore

/// The settings of the replica resolving a batch (CONTRACT §10: a batch is resolved under the
/// settings of the replica that resolves it).
public struct ResolutionSettings: Sendable {
    public var stagingWindow: Duration
    public var gracePeriod: Duration
    public var protectExecuting: Bool
    public var leaseTimeout: Duration
    public var maxOpsPerTarget: Int
    /// Store-wide; counted without a lock, so replicas staging at the same instant may pass it
    /// by a few.
    public var maxStagingSize: Int
    /// Ended operations stay readable this long, and at most `maxHistory` of them, oldest
    /// forgotten first (zombies stay until removed).
    public var historyRetention: Duration
    public var maxHistory: Int
    /// Targets remembered; past it the longest idle with nothing staged, active, zombie or in
    /// history are forgotten first.
    public var maxTargets: Int

    public init(
        stagingWindow: Duration, gracePeriod: Duration, protectExecuting: Bool, leaseTimeout: Duration,
        maxOpsPerTarget: Int = 20, maxStagingSize: Int = 10_000,
        historyRetention: Duration = .seconds(60), maxHistory: Int = 100_000, maxTargets: Int = 1_000_000
    ) {
        self.stagingWindow = stagingWindow
        self.gracePeriod = gracePeriod
        self.protectExecuting = protectExecuting
        self.leaseTimeout = leaseTimeout
        self.maxOpsPerTarget = maxOpsPerTarget
        self.maxStagingSize = maxStagingSize
        self.historyRetention = historyRetention
        self.maxHistory = maxHistory
        self.maxTargets = maxTargets
    }
}

/// Staging and resolution on the shared store (CONTRACT §2.3 across replicas). A submission is
/// a row of `operations` with status `staged`, and the first one for a target opens its window
/// on the database's clock; `SharedResolution.swift` resolves the batch once the window closes.
/// Every write checks the state it read in the same statement, so nothing is decided twice.
public struct SharedStaging: Sendable {
    public let schema: StoreSchema
    public let settings: ResolutionSettings
    /// Plans each zombie a resolution or transition creates (CONTRACT §3.2).
    public let zombies: ZombiePlanning

    public init(
        schema: StoreSchema, settings: ResolutionSettings,
        zombies: ZombiePlanning = ZombiePlanning(CleanupPlanner(config: CleanupConfig(), policies: [:]))
    ) {
        self.schema = schema
        self.settings = settings
        self.zombies = zombies
    }

    /// One submission to stage: the request and the id it is staged as.
    public struct Submission: Sendable {
        public var request: OperationRequest
        public var id: String

        public init(_ request: OperationRequest, id: String) {
            self.request = request
            self.id = id
        }
    }

    /// Stages `request` as `id`; how long until its target's window closes.
    public func stage(_ request: OperationRequest, id: String, on connection: PostgresConnection, logger: Logger) async throws -> Duration {
        try await stage([Submission(request, id: id)], on: connection, logger: logger)[0].get()
    }

    /// Stages every submission (each with its parent's priority inherited) in one call of the
    /// schema's `stage` function, one round trip however many they are, opening each target's
    /// window unless one is open: per submission, how long until its window closes (on the
    /// database's clock), or why it was refused. A replica stages all the submissions that
    /// arrive during one round trip this way, so a busy target's row is locked once a round
    /// trip, not once a submission.
    public func stage(_ submissions: [Submission], on connection: PostgresConnection, logger: Logger) async throws -> [Result<Duration, SextonError>] {
        let s = schema.quoted
        let requests = submissions.map(\.request)
        let rows = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT * FROM \(s).stage($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            """, binds: bindings(
                submissions.map(\.id), requests.map(\.target), requests.map(\.targetType), requests.map(\.opType),
                requests.map(\.priority.value), requests.map { $0.parent ?? "" }, requests.map { $0.retryOf ?? "" },
                requests.map(\.retryCount), requests.map { $0.expectedVersion ?? -1 },
                requests.map { $0.cleanup.map(ZombieRow.encodeOverride) ?? "" }, requests.map { $0.id != nil },
                Double(settings.stagingWindow.nanoseconds) / 1e9, settings.maxOpsPerTarget, settings.maxStagingSize)),
            logger: logger).decode((Bool, Bool, Bool, Int64).self).collect()
        return zip(submissions, rows).map { submission, row in
            let (inserted, targetRoom, storeRoom, closesIn) = row
            if inserted { return .success(.nanoseconds(max(closesIn, 0))) }
            if !targetRoom {
                return .failure(SextonError(.stagingFull,
                    "target \(submission.request.target) already has max_ops_per_target (\(settings.maxOpsPerTarget)) operations staged"))
            }
            if !storeRoom { return .failure(SextonError(.stagingFull, "max_staging_size (\(settings.maxStagingSize)) operations are staged")) }
            return .failure(SextonError(.conflict, "an operation with id \(submission.id) is still live", field: "id"))
        }
    }

    /// Ends an active operation as a zombie: it keeps its entity until the cleanup removes it,
    /// due when its plan says (CONTRACT §3.2); when its target then holds more than
    /// `max_zombies_per_target`, the oldest fall due now. The caller holds the target's row lock
    /// and frees or hands on the target.
    func endAsZombie(
        _ id: String, status: OperationStatus, reason: RejectReason?, winner: String?,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        let s = schema.quoted
        let ended = try await connection.query(PostgresQuery(unsafeSQL: """
            UPDATE \(s).operations SET status = $2, reason = $3, winner = $4, ended_at = now(), fence = fence + 1
            WHERE id = $1 AND status IN ('admitted', 'executing')
            RETURNING target, target_type, op_type, effective_priority, retry_count, cleanup::text
            """, binds: bindings(id, status.rawValue, reason?.rawValue, winner)),
            logger: logger).decode((String, String, String, Int, Int, String?).self).collect()
        guard let (target, targetType, opType, priority, retryCount, cleanup) = ended.first else { return }
        // The plan reads the policy's inputs only; times stay the database's.
        let plan = zombies.plan(Zombie(
            operationID: id, entity: EntityID(index: 0, generation: 0), target: target, targetType: targetType, opType: opType,
            priority: Priority(priority)!, retryCount: retryCount, status: status, reason: .failed,
            admittedAt: Timestamp(nanoseconds: 0), endedAt: Timestamp(nanoseconds: 0),
            cleanup: cleanup.flatMap(ZombieRow.decodeOverride)))
        // One statement queues the zombie and applies `max_zombies_per_target`: the update does not
        // see the row being inserted (one snapshot), the newest of the target's, so the target's
        // other zombies are over the cap from position cap - 1 on.
        try await connection.query(PostgresQuery(unsafeSQL: """
            WITH queued AS (
                INSERT INTO \(s).zombies (operation_id, target, target_type, strategy, trigger, handler, due_at, ended_at)
                VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::float8 IS NOT NULL THEN now() + make_interval(secs => $7) END, now()))
            UPDATE \(s).zombies SET strategy = 'immediate', trigger = 'target_cap', due_at = now()
            WHERE operation_id IN (
                SELECT operation_id FROM \(s).zombies WHERE target = $2 ORDER BY ended_at DESC, operation_id DESC OFFSET $8 - 1)
              AND (due_at IS NULL OR due_at > now() OR strategy <> 'immediate')
            """, binds: bindings(
                id, target, targetType, plan.strategy.rawValue, plan.trigger?.rawValue, plan.handler,
                plan.removableAfter?.seconds, zombies.planner.config.maxZombiesPerTarget)), logger: logger)
    }
}
