import Foundation
import PostgresNIO
import SextonCore

/// A zombie as a query over `operations o` and `zombies z` returns it (`ZombieRow.columns`).
struct ZombieRow: Sendable {
    var zombie: Zombie
    var admittedAt: WallTime
    var endedAt: WallTime
    var strategy: StrategyLabel
    var failedAttempts: Int
    var dueAt: WallTime?
    var trigger: AdaptiveTrigger?
    var handler: String?
    var handlerDone: Bool

    static let columns = """
        o.id, o.entity_index, o.entity_generation, o.target, o.target_type, o.op_type, o.effective_priority,
        o.retry_count, o.status, \(nanos("o.admitted_at")), \(nanos("z.ended_at")), o.cleanup::text,
        z.strategy, z.failed_attempts, \(nanos("z.due_at")), z.trigger, z.handler, z.handler_done
        """

    static func nanos(_ column: String) -> String { "(extract(epoch FROM \(column)) * 1e9)::int8" }

    init(_ row: PostgresRow, clock: any SextonClock) throws {
        let c = Array(row)
        let status = OperationStatus(rawValue: try c[8].decode(String.self))!
        admittedAt = WallTime(nanosecondsSinceEpoch: try c[9].decode(Int64.self))
        endedAt = WallTime(nanosecondsSinceEpoch: try c[10].decode(Int64.self))
        zombie = Zombie(
            operationID: try c[0].decode(String.self),
            entity: EntityID(index: UInt32(try c[1].decode(Int.self)), generation: UInt32(try c[2].decode(Int.self))),
            target: try c[3].decode(String.self), targetType: try c[4].decode(String.self), opType: try c[5].decode(String.self),
            priority: Priority(try c[6].decode(Int.self))!, retryCount: try c[7].decode(Int.self), status: status,
            reason: status == .failed ? .failed : status == .expired ? .expired : .preempted,
            admittedAt: clock.local(admittedAt), endedAt: clock.local(endedAt),
            cleanup: try c[11].decode(String?.self).flatMap(Self.decodeOverride))
        strategy = StrategyLabel(rawValue: try c[12].decode(String.self)) ?? .none
        failedAttempts = try c[13].decode(Int.self)
        dueAt = try c[14].decode(Int64?.self).map(WallTime.init(nanosecondsSinceEpoch:))
        trigger = try c[15].decode(String?.self).flatMap(AdaptiveTrigger.init(rawValue:))
        handler = try c[16].decode(String?.self)
        handlerDone = try c[17].decode(Bool.self)
    }

    func tracked(clock: any SextonClock) -> TrackedZombie {
        TrackedZombie(zombie: zombie, strategy: strategy, cleanupAt: dueAt.map(clock.local), failedAttempts: failedAttempts)
    }

    static func encodeOverride(_ override: CleanupOverride) -> String {
        String(decoding: try! JSONEncoder().encode(override), as: UTF8.self)
    }

    /// An override this code stored; one it cannot read (a newer replica's) counts as none.
    static func decodeOverride(_ text: String) -> CleanupOverride? {
        try? JSONDecoder().decode(CleanupOverride.self, from: Data(text.utf8))
    }
}

extension SextonClock {
    /// A time the database wrote, on this process's monotonic clock, so it compares and shows
    /// like the times the core keeps.
    func local(_ wall: WallTime) -> Timestamp {
        Timestamp(nanoseconds: wall.nanosecondsSinceEpoch &- (wallNow().nanosecondsSinceEpoch &- now().nanoseconds))
    }
}
