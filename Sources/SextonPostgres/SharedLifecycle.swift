import Logging
import PostgresNIO
import SextonCore

/// CONTRACT §2.2 and §2.4 transitions on the shared store, through any replica. Each runs in one
/// transaction that locks the target's row, then the operation's (the order a resolution takes
/// them in, so the two never deadlock), applies a lease that ran out first, and writes only
/// from the state it read: a replica that lost an operation can never start or complete it.
public struct SharedLifecycle: Sendable {
    public let staging: SharedStaging

    public init(staging: SharedStaging) {
        self.staging = staging
    }

    /// Applies the transition; how the operation ended by it, if it did (`expired` when its
    /// lease had run out, and then the transition itself is refused).
    @discardableResult
    public func apply(_ transition: Transition, to id: String, on client: PostgresClient, logger: Logger) async throws -> CompletionOutcome? {
        let s = staging.schema.quoted
        // A refusal is returned, not thrown, so a lease expiry applied on the way commits.
        let (ended, refusal): (CompletionOutcome?, SextonError?) = try await client.withTransaction(logger: logger) { connection in
            let targets = try await connection.query(PostgresQuery(unsafeSQL: "SELECT target FROM \(s).operations WHERE id = $1", binds: bindings(id)),
                                                     logger: logger).decode(String.self).collect()
            guard let target = targets.first else { throw SextonError(.notFound, "no operation \(id)") }
            try await connection.query(PostgresQuery(unsafeSQL: "SELECT 1 FROM \(s).targets WHERE name = $1 FOR UPDATE", binds: bindings(target)), logger: logger)
            let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT status, reason, coalesce(lease_expires_at <= now(), false) FROM \(s).operations WHERE id = $1 FOR UPDATE
                """, binds: bindings(id)), logger: logger).decode((String, String?, Bool).self).collect()
            guard let row = rows.first, var status = OperationStatus(rawValue: row.0) else {
                throw SextonError(.notFound, "no operation \(id)")
            }
            var reason = row.1
            var expiredNow: CompletionOutcome?
            if status.isActive && row.2 {
                try await expire(id, target: target, on: connection, logger: logger)
                (status, reason, expiredNow) = (.expired, nil, .expired)
            }
            func refuse(_ action: String, needs: String) -> SextonError {
                SextonError(.conflict, "cannot \(action) operation \(id): it is \(status.rawValue), not \(needs)",
                            operationStatus: status, operationReason: reason)
            }
            let lease = staging.settings.leaseTimeout.seconds
            switch transition {
            case .start:
                guard status == .admitted else { return (expiredNow, refuse("start", needs: "admitted")) }
                try await connection.query(PostgresQuery(unsafeSQL: """
                    UPDATE \(s).operations SET status = 'executing', started_at = now(), last_heartbeat_at = now(),
                        lease_expires_at = CASE WHEN $2 > 0 THEN now() + make_interval(secs => $2) END, fence = fence + 1
                    WHERE id = $1
                    """, binds: bindings(id, lease)), logger: logger)
            case .heartbeat:
                guard status == .executing else { return (expiredNow, refuse("heartbeat", needs: "executing")) }
                try await connection.query(PostgresQuery(unsafeSQL: """
                    UPDATE \(s).operations SET last_heartbeat_at = now(),
                        lease_expires_at = CASE WHEN $2 > 0 THEN now() + make_interval(secs => $2) END
                    WHERE id = $1
                    """, binds: bindings(id, lease)), logger: logger)
            case .complete(let succeeded, let error):
                guard status == .executing else { return (expiredNow, refuse("complete", needs: "executing")) }
                if succeeded {
                    try await leave(id, status: .succeeded, error: error, on: connection, logger: logger)
                    try await release(target, from: id, succeeded: true, on: connection, logger: logger)
                    return (.succeeded, nil)
                }
                try await staging.endAsZombie(id, status: .failed, reason: nil, winner: nil, on: connection, logger: logger)
                try await connection.query(PostgresQuery(unsafeSQL: "UPDATE \(s).operations SET error = $2 WHERE id = $1", binds: bindings(id, error)), logger: logger)
                try await release(target, from: id, succeeded: false, on: connection, logger: logger)
                return (.failed, nil)
            case .cancel:
                guard status.isActive else { return (expiredNow, refuse("cancel", needs: "admitted or executing")) }
                try await leave(id, status: .cancelled, error: nil, on: connection, logger: logger)
                try await release(target, from: id, succeeded: false, on: connection, logger: logger)
                return (.cancelled, nil)
            }
            return (nil, nil)
        }
        if let refusal {
            // The expiry on the way is done; the caller counts it, then hears the refusal.
            throw AppliedButRefused(ended: ended, refusal: refusal)
        }
        return ended
    }

    /// Expires operations whose lease ran out, at most `limit`, skipping targets another
    /// replica holds locked right now (it is resolving or sweeping them); how many it expired.
    public func sweepLeases(limit: Int, on client: PostgresClient, logger: Logger) async throws -> Int {
        let s = staging.schema.quoted
        let due = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT id, target FROM \(s).operations
            WHERE status IN ('admitted', 'executing') AND lease_expires_at <= now() LIMIT $1
            """, binds: bindings(limit)), logger: logger).decode((String, String).self).collect()
        var expired = 0
        for (id, target) in due {
            expired += try await client.withTransaction(logger: logger) { connection in
                let locked = try await connection.query(PostgresQuery(unsafeSQL: "SELECT 1 FROM \(s).targets WHERE name = $1 FOR UPDATE SKIP LOCKED", binds: bindings(target)),
                                                        logger: logger).decode(Int.self).collect()
                guard !locked.isEmpty else { return 0 }
                let still = try await connection.query(PostgresQuery(unsafeSQL: """
                    SELECT 1 FROM \(s).operations WHERE id = $1 AND status IN ('admitted', 'executing') AND lease_expires_at <= now()
                    """, binds: bindings(id)), logger: logger).decode(Int.self).collect()
                guard !still.isEmpty else { return 0 }
                try await expire(id, target: target, on: connection, logger: logger)
                return 1
            }
        }
        return expired
    }

    private func expire(_ id: String, target: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await staging.endAsZombie(id, status: .expired, reason: nil, winner: nil, on: connection, logger: logger)
        try await release(target, from: id, succeeded: false, on: connection, logger: logger)
    }

    /// Ends an operation whose entity leaves the registry now (succeeded or cancelled).
    private func leave(_ id: String, status: OperationStatus, error: String?, on connection: PostgresConnection, logger: Logger) async throws {
        let s = staging.schema.quoted
        try await connection.query(PostgresQuery(unsafeSQL: """
            UPDATE \(s).operations SET status = $2, error = $3, ended_at = now(), in_registry = false, fence = fence + 1 WHERE id = $1
            """, binds: bindings(id, status.rawValue, error)), logger: logger)
        try await connection.query(PostgresQuery(unsafeSQL: "UPDATE \(s).entities SET holder = NULL WHERE holder = $1", binds: bindings(id)), logger: logger)
    }

    /// Frees the target the operation held; a success moves its version on.
    private func release(_ target: String, from id: String, succeeded: Bool, on connection: PostgresConnection, logger: Logger) async throws {
        let s = staging.schema.quoted
        try await connection.query(PostgresQuery(unsafeSQL: """
            UPDATE \(s).targets SET active_id = NULL, version = version + CASE WHEN $3 THEN 1 ELSE 0 END, fence = fence + 1
            WHERE name = $1 AND active_id = $2
            """, binds: bindings(target, id, succeeded)), logger: logger)
    }
}

/// A transition refused after the lease expiry applied on the way was committed.
public struct AppliedButRefused: Error {
    public let ended: CompletionOutcome?
    public let refusal: SextonError
}
