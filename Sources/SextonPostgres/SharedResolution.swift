import Logging
import PostgresNIO
import SextonCore

/// Resolution on the shared store (CONTRACT §2.3 across replicas): whichever replica asks first
/// after a target's window closes resolves its whole batch, under the target's row lock and with
/// the core's `ResolutionRule`; the others find it decided. One transaction resolves every
/// target a replica asks about at once, in a fixed number of round trips however many they are.
extension SharedStaging {
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

    /// Resolves the target's batch if its window has closed, in one transaction.
    public func resolve(target: String, on client: PostgresClient, logger: Logger) async throws -> Resolution {
        try await resolve([target], on: client, logger: logger)[target]!
    }

    /// Resolves the batch of each target whose window has closed, in one transaction: what
    /// each target's resolution found.
    public func resolve(_ targets: [String], on client: PostgresClient, logger: Logger) async throws -> [String: Resolution] {
        try await client.withTransaction(logger: logger) { connection in
            try await resolve(targets, closedOnly: true, on: connection, logger: logger)
        }
    }

    /// Resolves what is staged for the target now, window or not (an explicit batch), on the
    /// caller's transaction.
    public func resolveNow(target: String, on connection: PostgresConnection, logger: Logger) async throws -> Resolution {
        try await resolve([target], closedOnly: false, on: connection, logger: logger)[target]!
    }

    private struct Member {
        var id: String
        var priority: Priority
        var seq: Int64
        var expectedVersion: Int?
    }

    /// The rule's verdict on one target's batch, before it is written.
    private struct Outcome {
        var target: String
        var version: Int
        var members: [Member]
        var winner: Int?
        /// The reason of each member but the winner, in arrival order.
        var reasons: [RejectReason]
        /// Who holds the target afterwards.
        var holder: String?
        /// The holder that ends as a zombie, and how.
        var ended: (id: String, status: OperationStatus, reason: RejectReason?, winner: String?)?
        var detected: Bool
    }

    private func resolve(_ targets: [String], closedOnly: Bool, on connection: PostgresConnection, logger: Logger) async throws -> [String: Resolution] {
        let s = schema.quoted
        let names = Array(Set(targets)).sorted()
        // Name order, as the stages lock them; a closed window's row that is locked is skipped
        // (it exists while anything is staged for it), so nobody waits in line.
        let locked = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT name, version, active_id, (extract(epoch FROM coalesce(window_closes_at, now()) - now()) * 1e9)::int8,
                   (extract(epoch FROM now()) * 1e9)::int8
            FROM \(s).targets WHERE name = ANY($1) ORDER BY name FOR UPDATE \(closedOnly ? "SKIP LOCKED" : "")
            """, binds: bindings(names)), logger: logger).decode((String, Int, String?, Int64, Int64).self).collect()
        var resolutions = Dictionary(uniqueKeysWithValues: names.map { ($0, closedOnly ? Resolution.busy : .nothingStaged) })
        var closed: [(name: String, version: Int, activeID: String?)] = []
        for (name, version, activeID, closesIn, _) in locked {
            if closedOnly && closesIn > 0 {
                resolutions[name] = .open(.nanoseconds(closesIn))
            } else {
                closed.append((name, version, activeID))
            }
        }
        guard let now = locked.first?.4, !closed.isEmpty else { return resolutions }
        let started = ContinuousClock.now

        // The batches and the holders they meet, in one read after the locks.
        var staged: [String: [Member]] = [:]
        var holders: [String: (holder: ResolutionRule.Holder, leaseRanOut: Bool)] = [:]
        for (id, target, isMember, priority, seq, expectedVersion, admittedAt, executing, leaseRanOut) in try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT id, target, status = 'staged', effective_priority, seq, expected_version,
                       coalesce((extract(epoch FROM admitted_at) * 1e9)::int8, 0), status = 'executing',
                       coalesce(lease_expires_at <= now(), false)
                FROM \(s).operations WHERE (target = ANY($1) AND status = 'staged') OR id = ANY($2) ORDER BY seq
                """, binds: bindings(closed.map(\.name), closed.compactMap(\.activeID))),
            logger: logger).decode((String, String, Bool, Int, Int64, Int?, Int64, Bool, Bool).self).collect()
        {
            if isMember {
                staged[target, default: []].append(Member(id: id, priority: Priority(priority)!, seq: seq, expectedVersion: expectedVersion))
            } else {
                holders[id] = (ResolutionRule.Holder(admittedAt: admittedAt, isExecuting: executing, effectivePriority: Priority(priority)!), leaseRanOut)
            }
        }

        var outcomes: [Outcome] = []
        var idle: [String] = []
        for target in closed {
            guard let members = staged[target.name] else {
                idle.append(target.name)
                resolutions[target.name] = .nothingStaged
                continue
            }
            outcomes.append(decide(
                target.name, version: target.version, members: members, activeID: target.activeID,
                holder: target.activeID.flatMap { holders[$0] }, now: now))
        }
        for case let (id, status, reason, winner)? in outcomes.map(\.ended) {
            try await endAsZombie(id, status: status, reason: reason, winner: winner, on: connection, logger: logger)
        }
        let entities = try await finish(outcomes, idle: idle, on: connection, logger: logger)
        let duration = ContinuousClock.now - started
        for outcome in outcomes {
            var reasons = outcome.reasons.makeIterator()
            let decisions = outcome.members.indices.map { index in
                let member = outcome.members[index]
                if index == outcome.winner {
                    return Decision(
                        id: member.id, isAdmitted: true, ecsId: entities[member.id], target: outcome.target,
                        targetVersion: outcome.version, reason: nil, winner: member.id)
                }
                return Decision(
                    id: member.id, isAdmitted: false, ecsId: nil, target: outcome.target, targetVersion: outcome.version,
                    reason: reasons.next()!, winner: outcome.holder)
            }
            resolutions[outcome.target] = .resolved(ResolvedBatch(
                decisions: decisions, detected: outcome.detected,
                endedHolder: outcome.ended.map { $0.status == .expired ? .expired : .preempted }, duration: duration))
        }
        return resolutions
    }

    /// `ResolutionRule` on one target's batch: a holder whose lease ran out ends first, then the
    /// best member that names no other version meets whoever holds the target.
    private func decide(
        _ target: String, version: Int, members: [Member], activeID: String?,
        holder found: (holder: ResolutionRule.Holder, leaseRanOut: Bool)?, now: Int64
    ) -> Outcome {
        var outcome = Outcome(
            target: target, version: version, members: members, winner: nil, reasons: [], holder: activeID, ended: nil,
            detected: members.count > 1 || activeID != nil)
        var holder = found?.holder
        if let activeID, found?.leaseRanOut == true {
            outcome.ended = (activeID, .expired, nil, nil)
            outcome.holder = nil
            holder = nil
        }
        var candidate: Int?
        for index in members.indices
        where ResolutionRule.accepts(expectedVersion: members[index].expectedVersion, version: version) {
            if let best = candidate,
               !ResolutionRule.outranks(members[index].priority, arrived: members[index].seq, members[best].priority, arrived: members[best].seq)
            {
                continue
            }
            candidate = index
        }
        var others = RejectReason.lostConflict
        if let candidate {
            switch ResolutionRule.verdict(
                for: members[candidate].priority, holder: holder, now: now,
                grace: settings.gracePeriod.nanoseconds, protectExecuting: settings.protectExecuting)
            {
            case .admit:
                outcome.winner = candidate
            case .preempt:
                outcome.ended = (outcome.holder!, .rejected, .preempted, members[candidate].id)
                outcome.winner = candidate
            case .keep(let reason):
                others = reason
            }
        }
        if let winner = outcome.winner { outcome.holder = members[winner].id }
        outcome.reasons = members.indices.filter { $0 != outcome.winner }.map {
            ResolutionRule.reason(expectedVersion: members[$0].expectedVersion, version: version, others: others)
        }
        return outcome
    }

    /// Writes the decisions of every batch in one call of the schema's `finish` function (see
    /// migration 4). Returns the winners' entities.
    private func finish(_ outcomes: [Outcome], idle: [String], on connection: PostgresConnection, logger: Logger) async throws -> [String: EntityID] {
        let s = schema.quoted
        let lease = Double(settings.leaseTimeout.nanoseconds) / 1e9
        let winners = outcomes.compactMap { outcome in outcome.winner.map { outcome.members[$0].id } }
        var losers: [(id: String, reason: RejectReason, winner: String)] = []
        for outcome in outcomes {
            let others = outcome.members.indices.filter { $0 != outcome.winner }
            for (index, reason) in zip(others, outcome.reasons) {
                losers.append((outcome.members[index].id, reason, outcome.holder ?? ""))
            }
        }
        // A holder of '' is none: ids are never empty.
        let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT * FROM \(s).finish($1, $2, $3, $4, $5, $6, $7, $8)",
            binds: bindings(
                winners, lease, losers.map(\.id), losers.map(\.reason.rawValue), losers.map(\.winner),
                outcomes.map(\.target), outcomes.map { $0.holder ?? "" }, idle)),
            logger: logger).decode((String, Int, Int).self).collect()
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.0, EntityID(index: UInt32($0.1), generation: UInt32($0.2))) })
    }
}
