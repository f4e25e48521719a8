import SextonCore

/// The record a handler writes or sends for one zombie (CONTRACT §3.3 audit fields).
enum ZombieRecordJSON {
    static func make(_ zombie: Zombie, strategy: StrategyLabel, cleanedAt: Timestamp) -> JSONValue {
        .object([
            ("id", .string(zombie.operationID)),
            ("ecs_id", .string(zombie.entity.description)),
            ("target", .string(zombie.target)),
            ("target_type", .string(zombie.targetType)),
            ("op_type", .string(zombie.opType)),
            ("priority", .int(zombie.priority.value)),
            ("status", .string(zombie.status.rawValue)),
            ("reason", .string(zombie.reason.rawValue)),
            ("admitted_at", .string(zombie.admittedAt.rfc3339)),
            ("ended_at", .string(zombie.endedAt.rfc3339)),
            ("cleaned_at", .string(cleanedAt.rfc3339)),
            ("strategy", .string(strategy.rawValue)),
        ])
    }
}
