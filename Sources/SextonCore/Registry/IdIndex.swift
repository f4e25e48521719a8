import Synchronization

/// Where an operation's record lives: its shard and its handle in that shard's table.
struct OperationRef: Hashable, Sendable {
    var shard: UInt32
    var handle: EntityID
}

/// The sharded `id → operation` index. An id is first reserved (so two submissions with one id
/// cannot both pass), then bound to its record by the shard that created it.
///
/// Lock order: a shard lock may be held while taking an index lock, never the reverse, so
/// `reserve` checks the liveness of an earlier holder of the id between two index locks.
final class IdIndex: Sendable {
    enum Entry {
        /// Being submitted; `previous` is an ended operation that still answers queries until then.
        case reserved(previous: OperationRef?)
        case bound(OperationRef)
    }

    private final class Bucket: Sendable {
        /// Sized for a first burst of ids (about 2 KB per bucket), so a young coordinator does
        /// not rehash every bucket five times over while they fill.
        let map = Mutex<[String: Entry]>(Dictionary(minimumCapacity: 48))
    }

    private let shards: [Bucket]
    private let shardBits: Int

    init(shardBits: Int) {
        shards = (0..<(1 << shardBits)).map { _ in Bucket() }
        self.shardBits = shardBits
    }

    private func shard(_ id: String) -> Bucket { shards[ShardHash.of(id, bits: shardBits)] }

    func lookup(_ id: String) -> OperationRef? {
        shard(id).map.withLock { map in
            switch map[id] {
            case .bound(let ref): ref
            case .reserved(let previous): previous
            case nil: nil
            }
        }
    }

    /// Claims `id` for a new operation, unless a live operation (per `isLive`) or another
    /// submission holds it.
    func reserve(_ id: String, isLive: (OperationRef) -> Bool) throws(SextonError) {
        let shard = shard(id)
        while true {
            let holder = try shard.map.withLock { map throws(SextonError) -> OperationRef? in
                switch map[id] {
                case nil:
                    map[id] = .reserved(previous: nil)
                    return nil
                case .reserved:
                    throw Self.duplicate(id)
                case .bound(let ref):
                    return ref
                }
            }
            guard let holder else { return }
            if isLive(holder) { throw Self.duplicate(id) }
            let claimed = shard.map.withLock { map in
                guard case .bound(holder) = map[id] else { return false }
                map[id] = .reserved(previous: holder)
                return true
            }
            if claimed { return }
        }
    }

    enum Claim {
        /// Now bound to the new operation; `previous` (ended) answered for the id until then.
        case claimed(previous: OperationRef?)
        /// A live operation or a submission in progress holds the id.
        case duplicate
        /// An earlier operation holds the id and only another shard's lock can tell whether it
        /// is live: the caller must go through `reserve`.
        case undecided
    }

    /// Binds `id` to `ref` in one lock and one lookup, for a caller that holds the lock of
    /// `ref`'s shard (so the record need not exist yet: nobody can reach it before the caller
    /// unlocks). `isLive` answers for earlier holders in that shard and nil for others.
    func claim(_ id: String, for ref: OperationRef, isLive: (OperationRef) -> Bool?) -> Claim {
        shard(id).map.withLock { map in Self.claim(&map[id], for: ref, isLive: isLive) }
    }

    private static func claim(_ entry: inout Entry?, for ref: OperationRef, isLive: (OperationRef) -> Bool?) -> Claim {
        switch entry {
        case nil:
            entry = .bound(ref)
            return .claimed(previous: nil)
        case .reserved:
            return .duplicate
        case .bound(let holder):
            switch isLive(holder) {
            case true?: return .duplicate
            case false?:
                entry = .bound(ref)
                return .claimed(previous: holder)
            case nil: return .undecided
            }
        }
    }

    /// Undoes a `claim` after the submission was refused.
    func unclaim(_ id: String, from ref: OperationRef, previous: OperationRef?) {
        shard(id).map.withLock { map in
            guard case .bound(ref) = map[id] else { return }
            map[id] = previous.map { .bound($0) }
        }
    }

    /// Gives a reservation back after the submission failed.
    func release(_ id: String) {
        shard(id).map.withLock { map in
            guard case .reserved(let previous) = map[id] else { return }
            map[id] = previous.map { .bound($0) }
        }
    }

    func bind(_ id: String, to ref: OperationRef) {
        shard(id).map.withLock { map in map[id] = .bound(ref) }
    }

    /// Forgets `id` unless it has been claimed again since `ref` held it.
    func remove(_ id: String, boundTo ref: OperationRef) {
        shard(id).map.withLock { map in
            switch map[id] {
            case .bound(ref): map[id] = nil
            case .reserved(previous: .some(ref)): map[id] = .reserved(previous: nil)
            default: break
            }
        }
    }

    static func duplicate(_ id: String) -> SextonError {
        SextonError(.conflict, "an operation with id \(id) is still live", field: "id")
    }
}
