import SextonCore

/// How operations, decisions, targets and zombies look in responses.
enum OperationJSON {
    static func time(_ t: Timestamp?, _ wall: WallClock) -> JSONValue { t.map { .string(wall.time(of: $0).rfc3339) } ?? .null }
    static func string(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }

    /// `lease` is the lease an admitted operation must keep (0: none), so a client knows how
    /// often to heartbeat.
    static func decision(_ d: Decision, lease: Duration) -> JSONValue {
        if d.isAdmitted {
            return .object([
                ("id", .string(d.id)), ("status", .string("admitted")), ("ecs_id", string(d.ecsId?.description)),
                ("target", .string(d.target)), ("target_version", .int(d.targetVersion)),
                ("lease_timeout_seconds", .double(lease.seconds)),
            ])
        }
        return .object([
            ("id", .string(d.id)), ("status", .string("rejected")), ("reason", string(d.reason?.rawValue)),
            ("winner", string(d.winner)), ("target", .string(d.target)), ("target_version", .int(d.targetVersion)),
        ])
    }

    static func operation(_ op: OperationView, _ wall: WallClock) -> JSONValue {
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
            ("submitted_at", time(op.submittedAt, wall)),
            ("admitted_at", time(op.admittedAt, wall)),
            ("started_at", time(op.startedAt, wall)),
            ("last_heartbeat_at", time(op.lastHeartbeatAt, wall)),
            ("ended_at", time(op.endedAt, wall)),
            ("lineage", .object([
                ("parent", string(op.parent)), ("retry_of", string(op.retryOf)), ("retry_count", .int(op.retryCount)),
            ])),
        ])
    }

    static func zombie(_ tracked: TrackedZombie, now: Timestamp, _ wall: WallClock) -> JSONValue {
        let z = tracked.zombie
        return .object(ZombieRecordJSON.fields(z, admittedAt: wall.time(of: z.admittedAt), endedAt: wall.time(of: z.endedAt)) + [
            ("age_seconds", .double((now - tracked.zombie.endedAt).seconds)),
            ("strategy", .string(tracked.strategy.rawValue)),
            ("cleanup_at", time(tracked.cleanupAt, wall)),
            ("failed_attempts", .int(tracked.failedAttempts)),
        ])
    }

    static func target(_ view: TargetView, zombies: [TrackedZombie], now: Timestamp, _ wall: WallClock) -> JSONValue {
        .object([
            ("target", .string(view.target)),
            ("version", .int(view.version)),
            ("active", view.active.map { operation($0, wall) } ?? .null),
            ("staged", .int(view.staged)),
            ("zombies", .array(zombies.map { zombie($0, now: now, wall) })),
        ])
    }
}
