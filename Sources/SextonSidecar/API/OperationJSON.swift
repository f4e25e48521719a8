import SextonCore

/// How operations, decisions, targets and zombies look in responses.
enum OperationJSON {
    static func time(_ t: Timestamp?) -> JSONValue { t.map { .string($0.rfc3339) } ?? .null }
    static func string(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }

    static func decision(_ d: Decision) -> JSONValue {
        if d.isAdmitted {
            return .object([
                ("id", .string(d.id)), ("status", .string("admitted")), ("ecs_id", string(d.ecsId?.description)),
                ("target", .string(d.target)), ("target_version", .int(d.targetVersion)),
            ])
        }
        return .object([
            ("id", .string(d.id)), ("status", .string("rejected")), ("reason", string(d.reason?.rawValue)),
            ("winner", string(d.winner)), ("target", .string(d.target)), ("target_version", .int(d.targetVersion)),
        ])
    }

    static func operation(_ op: OperationView) -> JSONValue {
        .object([
            ("id", .string(op.id)),
            ("target", .string(op.target)),
            ("target_type", .string(op.targetType)),
            ("op_type", .string(op.opType)),
            ("priority", .int(op.priority.value)),
            ("effective_priority", .int(op.effectivePriority.value)),
            ("status", .string(op.status.rawValue)),
            ("reason", string(op.reason?.rawValue)),
            ("winner", string(op.winner)),
            ("error", string(op.error)),
            ("ecs_id", string(op.ecsId?.description)),
            ("in_registry", .bool(op.inRegistry)),
            ("zombie", .bool(op.isZombie)),
            ("submitted_at", time(op.submittedAt)),
            ("admitted_at", time(op.admittedAt)),
            ("started_at", time(op.startedAt)),
            ("last_heartbeat_at", time(op.lastHeartbeatAt)),
            ("ended_at", time(op.endedAt)),
            ("lineage", .object([
                ("parent", string(op.parent)), ("retry_of", string(op.retryOf)), ("retry_count", .int(op.retryCount)),
            ])),
        ])
    }

    static func zombie(_ tracked: TrackedZombie, now: Timestamp) -> JSONValue {
        .object(ZombieRecordJSON.fields(tracked.zombie) + [
            ("age_seconds", .double((now - tracked.zombie.endedAt).seconds)),
            ("strategy", .string(tracked.strategy.rawValue)),
            ("cleanup_at", time(tracked.cleanupAt)),
            ("failed_attempts", .int(tracked.failedAttempts)),
        ])
    }

    static func target(_ view: TargetView, zombies: [TrackedZombie], now: Timestamp) -> JSONValue {
        .object([
            ("target", .string(view.target)),
            ("version", .int(view.version)),
            ("active", view.active.map(operation) ?? .null),
            ("staged", .int(view.staged)),
            ("zombies", .array(zombies.map { zombie($0, now: now) })),
        ])
    }
}
