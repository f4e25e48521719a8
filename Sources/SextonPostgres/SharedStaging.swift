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
/// a row in `staged`, and the first one for a target opens its window on the database's clock.
/// Whichever replica asks first after the window closes resolves the whole batch, under the
/// target's row lock and with the core's `ResolutionRule`; the others find it decided. Every
/// write checks the state it read in the same statement, so nothing is decided twice.
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

    /// Stages every submission (each with its parent's priority inherited) in one statement,
    /// opening each target's window unless one is open: per submission, how long until its
    /// window closes (on the database's clock), or why it was refused. A replica stages all the
    /// submissions that arrive during one round trip this way, so a busy target's row is
    /// locked once a round trip, not once a submission.
    public func stage(_ submissions: [Submission], on connection: PostgresConnection, logger: Logger) async throws -> [Result<Duration, SextonError>] {
        let s = schema.quoted
        let requests = submissions.map(\.request)
        // Optional columns travel as arrays with a sentinel for SQL NULL: ids are never empty and
        // versions never negative.
        let rows = try await connection.query(PostgresQuery(unsafeSQL: """
            WITH input AS (
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::text[], $7::text[],
                                     $8::int8[], $9::int8[], $10::text[], $11::bool[])
                    WITH ORDINALITY AS i(id, target, target_type, op_type, priority, parent, retry_of, retry_count,
                                         expected_version, cleanup, reused, n)),
            -- The limits, counted on the statement's snapshot: the batch's own members in arrival
            -- order count against them too.
            ranked AS (
                SELECT i.*,
                       (SELECT count(*) FROM \(s).operations o WHERE o.target = i.target AND o.status = 'staged')
                           + row_number() OVER (PARTITION BY i.target ORDER BY i.n) <= $13 AS target_room,
                       (SELECT count(*) FROM \(s).operations WHERE status = 'staged') + i.n <= $14 AS store_room
                FROM input i),
            -- Each target's row, locked in name order so that two replicas' stages never deadlock:
            -- a resolution holding one finishes first, and then this opens the next window.
            windows AS (
                INSERT INTO \(s).targets AS t (name, window_closes_at)
                SELECT DISTINCT target, now() + make_interval(secs => $12) FROM ranked WHERE target_room AND store_room ORDER BY 1
                ON CONFLICT (name) DO UPDATE SET window_closes_at = coalesce(t.window_closes_at, excluded.window_closes_at), idle_since = now()
                RETURNING t.name, (extract(epoch FROM t.window_closes_at - now()) * 1e9)::int8 AS closes_in),
            -- An ended operation's id may be used again, as in memory; a zombie's stays taken until
            -- the zombie is removed (the zombie queue refers to its row). A generated id is new.
            reused AS (
                DELETE FROM \(s).operations o USING ranked r
                WHERE r.reused AND r.target_room AND r.store_room AND o.id = r.id AND o.ended_at IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM \(s).zombies z WHERE z.operation_id = o.id)
                RETURNING o.id),
            inserted AS (
                INSERT INTO \(s).operations (id, target, target_type, op_type, priority, effective_priority, status,
                    parent, retry_of, retry_count, expected_version, cleanup)
                SELECT r.id, r.target, r.target_type, r.op_type, r.priority,
                    greatest(r.priority, (SELECT p.effective_priority FROM \(s).operations p WHERE p.id = nullif(r.parent, ''))),
                    'staged', nullif(r.parent, ''), nullif(r.retry_of, ''), r.retry_count, nullif(r.expected_version, -1),
                    nullif(r.cleanup, '')::jsonb
                FROM ranked r
                -- The reused ids are deleted before any row goes in.
                WHERE r.target_room AND r.store_room AND (SELECT count(*) FROM reused) >= 0
                ORDER BY r.n
                ON CONFLICT (id) DO NOTHING
                RETURNING id)
            SELECT r.id IN (SELECT id FROM inserted), r.target_room, r.store_room, coalesce(w.closes_in, 0)
            FROM ranked r LEFT JOIN windows w ON w.name = r.target ORDER BY r.n
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
        try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO \(s).zombies (operation_id, target, target_type, strategy, trigger, handler, due_at, ended_at)
            VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::float8 IS NOT NULL THEN now() + make_interval(secs => $7) END, now())
            """, binds: bindings(
                id, target, targetType, plan.strategy.rawValue, plan.trigger?.rawValue, plan.handler,
                plan.removableAfter?.seconds)), logger: logger)
        try await connection.query(PostgresQuery(unsafeSQL: """
            UPDATE \(s).zombies SET strategy = 'immediate', trigger = 'target_cap', due_at = now()
            WHERE operation_id IN (
                SELECT operation_id FROM \(s).zombies WHERE target = $1 ORDER BY ended_at DESC, operation_id DESC OFFSET $2)
              AND (due_at IS NULL OR due_at > now() OR strategy <> 'immediate')
            """, binds: bindings(target, zombies.planner.config.maxZombiesPerTarget)), logger: logger)
    }
}
