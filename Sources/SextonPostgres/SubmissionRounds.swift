import Logging
import PostgresNIO
import SextonCore

/// A replica's submissions meet the database in groups: every submission that arrives while a
/// round trip is under way is staged by the next one statement, and every submitter whose window
/// closed in the meantime is answered by the next one resolution transaction (CONTRACT §10).
/// Each group is one round with the database, bounded by the deadline and timed for the metrics.
final class SubmissionRounds: Sendable {
    /// What a submitter whose window closed hears.
    enum Answer: Sendable {
        case decided(Decision)
        /// The window is still open for this long (a later one, after the batch it joined).
        case open(Duration)
        /// Another transaction holds the target: ask again soon.
        case pending
    }

    struct Waiter: Sendable {
        var target: String
        var id: String
    }

    let stage: GroupCommit<SharedStaging.Submission, Duration>
    let answer: GroupCommit<Waiter, Answer>

    init(client: PostgresClient, staging: SharedStaging, deadline: Duration, observer: (any StoreObserver)?, report: DecisionReport, logger: Logger) {
        stage = GroupCommit { submissions in
            try await timedRound(.submit, deadline: deadline, observer: observer) {
                try await client.withConnection { connection in
                    try await staging.stage(submissions, on: connection, logger: logger).map { $0.mapError { $0 } }
                }
            }
        }
        answer = GroupCommit { waiters in
            let resolutions = try await timedRound(.submit, deadline: deadline, observer: observer) {
                try await staging.resolve(waiters.map(\.target), on: client, logger: logger)
            }
            var resolved: [String: Decision] = [:]
            for case .resolved(let batch) in resolutions.values {
                report.resolved(batch)
                for decision in batch.decisions { resolved[decision.id] = decision }
            }
            var answers: [Answer?] = []
            var unknown: [String] = []
            var busy: Set<String> = []
            for waiter in waiters {
                switch resolutions[waiter.target]! {
                case .open(let left):
                    answers.append(.open(left))
                    continue
                case .resolved:
                    if let mine = resolved[waiter.id] {
                        answers.append(.decided(mine))
                        continue
                    }
                case .busy:
                    busy.insert(waiter.id)
                case .nothingStaged:
                    break
                }
                answers.append(nil)
                unknown.append(waiter.id)
            }
            guard !unknown.isEmpty else { return answers.map { .success($0!) } }
            // Decided by another replica's resolution, or still staged behind a busy row. If this
            // read fails, only its waiters hear it: the others' decisions are written and theirs.
            let ids = unknown
            let decided: [String: Decision?]
            do {
                decided = try await timedRound(.submit, deadline: deadline, observer: observer) {
                    try await Self.decisions(ids, schema: staging.schema, on: client, logger: logger)
                }
            } catch {
                return answers.map { $0.map { .success($0) } ?? .failure(error) }
            }
            return zip(waiters, answers).map { waiter, answer in
                if let answer { return .success(answer) }
                switch decided[waiter.id] {
                case nil: return .failure(SextonError(.notFound, "no operation \(waiter.id)"))
                case .some(nil) where busy.contains(waiter.id): return .success(.pending)
                case .some(nil):
                    return .failure(SextonError(.storeUnavailable, "operation \(waiter.id) is still staged after its batch resolved"))
                case .some(let decision?): return .success(.decided(decision))
                }
            }
        }
    }

    /// Each operation's decision, nil while it is staged, in one query; absent ids are missing.
    private static func decisions(_ ids: [String], schema: StoreSchema, on client: PostgresClient, logger: Logger) async throws -> [String: Decision?] {
        let s = schema.quoted
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT o.id, o.target, o.status, o.reason, o.winner, o.entity_index, o.entity_generation, o.admitted_at IS NOT NULL,
                   coalesce(t.version, 0)
            FROM \(s).operations o LEFT JOIN \(s).targets t ON t.name = o.target WHERE o.id = ANY($1)
            """, binds: bindings(ids)), logger: logger)
            .decode((String, String, String, String?, String?, Int?, Int?, Bool, Int).self).collect()
        var found: [String: Decision?] = [:]
        for (id, target, status, reason, winner, index, generation, admitted, version) in rows {
            found[id] = status == OperationStatus.staged.rawValue ? .some(nil) : Decision(
                id: id, isAdmitted: admitted,
                ecsId: admitted ? index.map { EntityID(index: UInt32($0), generation: UInt32(generation ?? 0)) } : nil,
                target: target, targetVersion: version, reason: admitted ? nil : reason.flatMap(RejectReason.init(rawValue:)),
                winner: admitted ? id : winner)
        }
        return found
    }
}
