import SextonCore

/// A zombie as JSON: the fields every rendering shares (`GET /v1/zombies`, and the record a
/// handler writes or sends, CONTRACT §3.3), each adding its own after them.
enum ZombieRecordJSON {
    static func fields(_ zombie: Zombie, admittedAt: WallTime, endedAt: WallTime) -> [(String, JSONValue)] {
        [
            ("id", .string(zombie.operationID)),
            ("ecs_id", .string(zombie.entity.description)),
            ("target", .string(zombie.target)),
            ("target_type", .string(zombie.targetType)),
            ("op_type", .string(zombie.opType)),
            ("priority", .int(zombie.priority.value)),
            ("status", .string(zombie.status.rawValue)),
            ("reason", .string(zombie.reason.rawValue)),
            ("admitted_at", .string(admittedAt.rfc3339)),
            ("ended_at", .string(endedAt.rfc3339)),
        ]
    }

    /// What audit_log and webhook handlers write or send.
    static func make(_ record: CleanupRecord) -> JSONValue {
        .object(fields(record.zombie, admittedAt: record.admittedAt, endedAt: record.endedAt) + [
            ("cleaned_at", .string(record.cleanedAt.rfc3339)),
            ("strategy", .string(record.strategy.rawValue)),
        ])
    }
}
