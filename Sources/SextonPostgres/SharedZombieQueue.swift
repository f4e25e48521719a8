import Foundation
import Logging
import PostgresNIO
import SextonCore

/// The store-wide zombie queue's statements (CONTRACT §10: each zombie removed once, its
/// handler run once). Rows are taken with `FOR UPDATE SKIP LOCKED`, so passes on several
/// replicas share the work instead of waiting on each other. A zombie with no handler left to
/// run is removed in the statement that takes it; one whose handler must run is claimed for
/// `claimTimeout` under a token, and only the holder of the token records its outcome. A claim
/// whose replica died runs out, and the zombie is claimed again.
struct SharedZombieQueue: Sendable {
    let schema: StoreSchema
    let replica: String
    let claimTimeout: Duration
    let clock: any SextonClock

    /// Which zombies a statement takes.
    enum Selection {
        /// Due now, with no handler left to run; optionally only one target's or target type's,
        /// and one strategy's (the lazy zombies a query meets).
        case due(target: String?, targetType: String?, strategy: StrategyLabel?)
        /// Every zombie, oldest first (an operator's purge).
        case all
        /// The given zombies, held under `token`.
        case claimed([String], token: String)
    }

    /// Removes up to `limit` zombies of `selection` from the queue and the registry (their
    /// entities freed, the operations no longer in it), in one statement.
    func remove(_ selection: Selection, limit: Int, on client: PostgresClient, logger: Logger) async throws -> [ZombieRow] {
        let s = schema.quoted
        let picked: String
        let binds: PostgresBindings
        switch selection {
        case .due(let target, let targetType, let strategy):
            picked = """
                SELECT operation_id FROM \(s).zombies
                WHERE due_at <= now() AND (handler IS NULL OR handler_done) AND \(Self.unclaimed)
                  AND ($2::text IS NULL OR target = $2) AND ($3::text IS NULL OR target_type = $3)
                  AND ($4::text IS NULL OR strategy = $4)
                ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED
                """
            binds = bindings(limit, target, targetType, strategy?.rawValue)
        case .all:
            picked = "SELECT operation_id FROM \(s).zombies ORDER BY ended_at LIMIT $1 FOR UPDATE SKIP LOCKED"
            binds = bindings(limit)
        case .claimed(let ids, let token):
            picked = "SELECT operation_id FROM \(s).zombies WHERE operation_id = ANY($2) AND claim_token = $3 LIMIT $1 FOR UPDATE"
            binds = bindings(limit, ids, token)
        }
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            WITH z AS (DELETE FROM \(s).zombies WHERE operation_id IN (\(picked)) RETURNING *),
            freed AS (UPDATE \(s).entities e SET holder = NULL FROM z WHERE e.holder = z.operation_id),
            o AS (UPDATE \(s).operations op SET in_registry = false FROM z WHERE op.id = z.operation_id RETURNING op.*)
            SELECT \(ZombieRow.columns) FROM o JOIN z ON z.operation_id = o.id ORDER BY z.ended_at
            """, binds: binds), logger: logger)
        return try await rows.collect().map { try ZombieRow($0, clock: clock) }
    }

    /// Claims up to `limit` due zombies whose handler must run first, under a new token.
    func claimForHandlers(limit: Int, on client: PostgresClient, logger: Logger) async throws -> (token: String, [ZombieRow]) {
        let s = schema.quoted
        let token = UUID().uuidString
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            WITH picked AS (
                SELECT operation_id FROM \(s).zombies
                WHERE due_at <= now() AND handler IS NOT NULL AND NOT handler_done AND \(Self.unclaimed)
                ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED),
            z AS (
                UPDATE \(s).zombies q SET claimed_by = $2, claim_token = $3, claim_expires_at = now() + make_interval(secs => $4)
                FROM picked WHERE q.operation_id = picked.operation_id RETURNING q.*)
            SELECT \(ZombieRow.columns) FROM z JOIN \(s).operations o ON o.id = z.operation_id ORDER BY z.due_at
            """, binds: bindings(limit, replica, token, claimTimeout.seconds)), logger: logger)
        return (token, try await rows.collect().map { try ZombieRow($0, clock: clock) })
    }

    /// Hands a claimed zombie back, due again in `dueIn`: after a handler failure
    /// (`failedAttempts` counts it), or after a `custom` handler succeeded (`handlerDone`) and
    /// its retention runs. False when the claim was no longer this replica's.
    func release(
        _ id: String, token: String, dueIn: Duration, failedAttempts: Int, handlerDone: Bool,
        on client: PostgresClient, logger: Logger
    ) async throws -> Bool {
        let s = schema.quoted
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            UPDATE \(s).zombies SET due_at = now() + make_interval(secs => $3), failed_attempts = $4, handler_done = $5,
                claimed_by = NULL, claim_token = NULL, claim_expires_at = NULL
            WHERE operation_id = $1 AND claim_token = $2 RETURNING 1
            """, binds: bindings(id, token, dueIn.seconds, failedAttempts, handlerDone)), logger: logger).collect()
        return !rows.isEmpty
    }

    /// Makes up to `limit` zombies due now as `immediate`, oldest first: what the adaptive rule
    /// of CONTRACT §3.2 takes (all of them under memory pressure, the excess over the force
    /// threshold). Returns how many it changed.
    func hurry(limit: Int, trigger: AdaptiveTrigger, on client: PostgresClient, logger: Logger) async throws -> Int {
        let s = schema.quoted
        return try await client.query(PostgresQuery(unsafeSQL: """
            UPDATE \(s).zombies SET strategy = 'immediate', trigger = $2, due_at = now()
            WHERE operation_id IN (
                SELECT operation_id FROM \(s).zombies WHERE due_at IS NULL OR due_at > now()
                ORDER BY ended_at LIMIT $1 FOR UPDATE SKIP LOCKED)
            RETURNING 1
            """, binds: bindings(limit, trigger.rawValue)), logger: logger).collect().count
    }

    /// Up to `limit` zombies a pass would take, after `after` (a dry run reads, takes nothing):
    /// those due now, or every zombie for `all`, oldest first.
    func candidates(all: Bool, after: String?, limit: Int, on client: PostgresClient, logger: Logger) async throws -> [ZombieRow] {
        let s = schema.quoted
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT \(ZombieRow.columns) FROM \(s).zombies z JOIN \(s).operations o ON o.id = z.operation_id
            WHERE ($1 OR z.due_at <= now()) AND ($2::text IS NULL OR z.operation_id > $2)
            ORDER BY z.operation_id LIMIT $3
            """, binds: bindings(all, after, limit)), logger: logger)
        return try await rows.collect().map { try ZombieRow($0, clock: clock) }
    }

    /// The oldest zombies not yet due, which the adaptive rule would take: a dry run's report.
    func oldestNotDue(limit: Int, on client: PostgresClient, logger: Logger) async throws -> [ZombieRow] {
        let s = schema.quoted
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT \(ZombieRow.columns) FROM \(s).zombies z JOIN \(s).operations o ON o.id = z.operation_id
            WHERE z.due_at IS NULL OR z.due_at > now() ORDER BY z.ended_at LIMIT $1
            """, binds: bindings(limit)), logger: logger)
        return try await rows.collect().map { try ZombieRow($0, clock: clock) }
    }

    private static let unclaimed = "(claim_expires_at IS NULL OR claim_expires_at < now())"
}
