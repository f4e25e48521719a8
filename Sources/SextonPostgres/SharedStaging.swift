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

    /// What asking for a target's resolution found.
    public enum Resolution: Sendable, Equatable {
        /// The window closes in this long (on the database's clock): ask again then.
        case open(Duration)
        /// This call resolved the batch.
        case resolved(ResolvedBatch)
        /// Nothing was staged: another replica resolved it.
        case nothingStaged
        /// Another transaction holds the target's row (resolving it, or staging for it): its
        /// decision may be written already; ask again soon. Waiting in line for the lock would
        /// make every submitter of a hot target's batch take it in turn for nothing.
        case busy
    }

    /// What one resolution decided, for the answers and for this replica's counters.
    public struct ResolvedBatch: Sendable, Equatable {
        /// One per member, in arrival order.
        public var decisions: [Decision]
        /// More than one operation competed: a batch of several, or one that met a holder.
        public var detected: Bool
        /// How the holder it met ended, if it did: preempted by the winner, or its lease ran out.
        public var endedHolder: ZombieReason?
        public var duration: Duration
    }

    /// Stages `request` as `id` (its parent's priority inherited) and opens the target's window
    /// unless one is open; returns how long until the window closes.
    public func stage(_ request: OperationRequest, id: String, on connection: PostgresConnection, logger: Logger) async throws -> Duration {
        let s = schema.quoted
        // The target row first: a resolution holding its lock finishes before this batch joins.
        let window = Double(settings.stagingWindow.nanoseconds) / 1e9
        let closesIn = try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO \(s).targets AS t (name, window_closes_at) VALUES ($1, now() + make_interval(secs => $2))
            ON CONFLICT (name) DO UPDATE SET window_closes_at = coalesce(t.window_closes_at, excluded.window_closes_at), idle_since = now()
            RETURNING (extract(epoch FROM t.window_closes_at - now()) * 1e9)::int8
            """, binds: bindings(request.target, window)), logger: logger).decode(Int64.self).collect()
        // An ended operation's id may be used again, as in memory; a zombie's stays taken until
        // the zombie is removed (the zombie queue refers to its row). A generated id is new.
        if request.id != nil {
            try await connection.query(PostgresQuery(unsafeSQL: """
                DELETE FROM \(s).operations o WHERE o.id = $1 AND o.ended_at IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM \(s).zombies z WHERE z.operation_id = o.id)
                """, binds: bindings(id)), logger: logger)
        }
        // The target's row is locked now, so the statement's count of its staged rows is exact.
        let inserted = try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO \(s).operations (id, target, target_type, op_type, priority, effective_priority, status,
                parent, retry_of, retry_count, expected_version, cleanup)
            SELECT $1, $2, $3, $4, $5,
                greatest($5, (SELECT effective_priority FROM \(s).operations WHERE id = $6)), 'staged',
                $6, $7, $8, $9, $10::jsonb
            WHERE (SELECT count(*) FROM \(s).operations WHERE target = $2 AND status = 'staged') < $11
              AND (SELECT count(*) FROM \(s).operations WHERE status = 'staged') < $12
            ON CONFLICT (id) DO NOTHING
            RETURNING seq
            """, binds: bindings(
                id, request.target, request.targetType, request.opType, request.priority.value, request.parent,
                request.retryOf, request.retryCount, request.expectedVersion, request.cleanup.map(ZombieRow.encodeOverride),
                settings.maxOpsPerTarget, settings.maxStagingSize)),
            logger: logger).decode(Int64.self).collect()
        if inserted.isEmpty { throw try await whyNotStaged(request, id: id, on: connection, logger: logger) }
        return .nanoseconds(max(closesIn.first ?? 0, 0))
    }

    /// The refusal of a submission the insert did not take: a staging limit, or its id live.
    private func whyNotStaged(_ request: OperationRequest, id: String, on connection: PostgresConnection, logger: Logger) async throws -> SextonError {
        let s = schema.quoted
        let staged = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT (SELECT count(*)::int FROM \(s).operations WHERE target = $1 AND status = 'staged'),
                   (SELECT count(*)::int FROM \(s).operations WHERE status = 'staged')
            """, binds: bindings(request.target)), logger: logger).decode((Int, Int).self).collect()
        let (forTarget, total) = staged.first ?? (0, 0)
        if forTarget >= settings.maxOpsPerTarget {
            return SextonError(
                .stagingFull, "target \(request.target) already has max_ops_per_target (\(settings.maxOpsPerTarget)) operations staged")
        }
        if total >= settings.maxStagingSize {
            return SextonError(.stagingFull, "max_staging_size (\(settings.maxStagingSize)) operations are staged")
        }
        return SextonError(.conflict, "an operation with id \(id) is still live", field: "id")
    }

    /// Resolves the target's batch if its window has closed, in one transaction.
    public func resolve(target: String, on client: PostgresClient, logger: Logger) async throws -> Resolution {
        try await client.withTransaction(logger: logger) { connection in
            try await resolve(target: target, closedOnly: true, on: connection, logger: logger)
        }
    }

    /// Resolves what is staged for the target now, window or not (an explicit batch), on the
    /// caller's transaction.
    public func resolveNow(target: String, on connection: PostgresConnection, logger: Logger) async throws -> Resolution {
        try await resolve(target: target, closedOnly: false, on: connection, logger: logger)
    }

    private func resolve(target: String, closedOnly: Bool, on connection: PostgresConnection, logger: Logger) async throws -> Resolution {
        let s = schema.quoted
        let locked = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT version, active_id, (extract(epoch FROM coalesce(window_closes_at, now()) - now()) * 1e9)::int8,
                   (extract(epoch FROM now()) * 1e9)::int8
            FROM \(s).targets WHERE name = $1 FOR UPDATE \(closedOnly ? "SKIP LOCKED" : "")
            """, binds: bindings(target)), logger: logger).decode((Int, String?, Int64, Int64).self).collect()
        // The row exists while anything is staged for the target, so a closed window's missing row is a lock.
        guard let row = locked.first else { return closedOnly ? .busy : .nothingStaged }
        let (version, activeID, closesIn, now) = row
        if closedOnly && closesIn > 0 { return .open(.nanoseconds(closesIn)) }
        let started = ContinuousClock.now

        let staged = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT id, effective_priority, seq, expected_version FROM \(s).operations
            WHERE target = $1 AND status = 'staged' ORDER BY seq
            """, binds: bindings(target)), logger: logger).decode((String, Int, Int64, Int?).self).collect()
        guard !staged.isEmpty else {
            try await connection.query(PostgresQuery(unsafeSQL: "UPDATE \(s).targets SET window_closes_at = NULL WHERE name = $1", binds: bindings(target)), logger: logger)
            return .nothingStaged
        }

        var holderID = activeID
        var holder: ResolutionRule.Holder?
        var endedHolder: ZombieReason?
        if let activeID {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT (extract(epoch FROM admitted_at) * 1e9)::int8, status = 'executing', effective_priority,
                       coalesce(lease_expires_at <= now(), false)
                FROM \(s).operations WHERE id = $1
                """, binds: bindings(activeID)), logger: logger).decode((Int64, Bool, Int, Bool).self).collect()
            if let row = rows.first {
                let (admittedAt, executing, priority, leaseRanOut) = row
                if leaseRanOut {
                    try await endAsZombie(activeID, status: .expired, reason: nil, winner: nil, on: connection, logger: logger)
                    holderID = nil
                    endedHolder = .expired
                } else {
                    holder = ResolutionRule.Holder(admittedAt: admittedAt, isExecuting: executing, effectivePriority: Priority(priority)!)
                }
            }
        }

        var candidate: Int?
        for index in staged.indices
        where ResolutionRule.accepts(expectedVersion: staged[index].3, version: version) {
            if let best = candidate,
               !ResolutionRule.outranks(
                   Priority(staged[index].1)!, arrived: staged[index].2, Priority(staged[best].1)!, arrived: staged[best].2)
            {
                continue
            }
            candidate = index
        }

        var others = RejectReason.lostConflict
        var admitted: Int?
        if let candidate {
            switch ResolutionRule.verdict(
                for: Priority(staged[candidate].1)!, holder: holder, now: now,
                grace: settings.gracePeriod.nanoseconds, protectExecuting: settings.protectExecuting)
            {
            case .admit:
                admitted = candidate
            case .preempt:
                try await endAsZombie(holderID!, status: .rejected, reason: .preempted, winner: staged[candidate].0, on: connection, logger: logger)
                endedHolder = .preempted
                admitted = candidate
            case .keep(let reason):
                others = reason
            }
        }
        let winnerID = admitted.map { staged[$0].0 }
        if let winnerID { holderID = winnerID }
        let losers = staged.indices.filter { $0 != admitted }.map { index in
            (staged[index].0, ResolutionRule.reason(expectedVersion: staged[index].3, version: version, others: others))
        }
        let entity = try await finish(
            target: target, winner: winnerID, losers: losers, holder: holderID, on: connection, logger: logger)
        var decisions: [Decision] = []
        var loser = losers.makeIterator()
        for (index, member) in staged.enumerated() {
            if index == admitted {
                decisions.append(Decision(
                    id: member.0, isAdmitted: true, ecsId: entity, target: target, targetVersion: version, reason: nil,
                    winner: member.0))
            } else {
                decisions.append(Decision(
                    id: member.0, isAdmitted: false, ecsId: nil, target: target, targetVersion: version,
                    reason: loser.next()!.1, winner: holderID))
            }
        }
        return .resolved(ResolvedBatch(
            decisions: decisions, detected: staged.count > 1 || activeID != nil, endedHolder: endedHolder,
            duration: ContinuousClock.now - started))
    }

    /// Writes a batch's decisions in one statement: the winner admitted with its lease and a
    /// registry entity (a freed index reused with its generation bumped, else a new one), the
    /// others rejected, and the target handed to `holder`. Returns the winner's entity.
    private func finish(
        target: String, winner: String?, losers: [(String, RejectReason)], holder: String?,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> EntityID? {
        let s = schema.quoted
        let lease = Double(settings.leaseTimeout.nanoseconds) / 1e9
        let rows = try await connection.query(PostgresQuery(unsafeSQL: """
            WITH picked AS (
                SELECT index FROM \(s).entities WHERE $2::text IS NOT NULL AND holder IS NULL
                ORDER BY index LIMIT 1 FOR UPDATE SKIP LOCKED),
            reused AS (
                UPDATE \(s).entities e SET holder = $2, generation = e.generation + 1 FROM picked
                WHERE e.index = picked.index RETURNING e.index, e.generation),
            fresh AS (
                INSERT INTO \(s).entities (index, generation, holder)
                SELECT nextval('\(s).entity_indices'), 0, $2 WHERE $2::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM reused)
                RETURNING index, generation),
            entity AS (SELECT index, generation FROM reused UNION ALL SELECT index, generation FROM fresh),
            admitted AS (
                UPDATE \(s).operations o SET status = 'admitted', admitted_at = now(), in_registry = true,
                    entity_index = entity.index, entity_generation = entity.generation,
                    lease_expires_at = CASE WHEN $3::float8 > 0 THEN now() + make_interval(secs => $3::float8) END,
                    fence = o.fence + 1
                FROM entity WHERE o.id = $2 AND o.status = 'staged' RETURNING o.id),
            rejected AS (
                UPDATE \(s).operations o SET status = 'rejected', reason = l.reason, winner = $6, ended_at = now()
                FROM unnest($4::text[], $5::text[]) AS l(id, reason) WHERE o.id = l.id AND o.status = 'staged' RETURNING o.id),
            handed AS (
                UPDATE \(s).targets SET active_id = $6, window_closes_at = NULL, fence = fence + 1 WHERE name = $1 RETURNING 1)
            SELECT index, generation FROM entity
            """, binds: bindings(target, winner, lease, losers.map(\.0), losers.map(\.1.rawValue), holder)),
            logger: logger).decode((Int, Int).self).collect()
        return rows.first.map { EntityID(index: UInt32($0.0), generation: UInt32($0.1)) }
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
