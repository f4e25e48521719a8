import Synchronization

/// Where an operation's record lives: its shard and its handle in that shard's table (the
/// handle's tag bits name the shard too, which lets `IdIndex` keep the handle alone).
struct OperationRef: Hashable, Sendable {
    var shard: UInt32
    var handle: RecordHandle
}

/// The sharded `id → operation` index. An id is first reserved (so two submissions with one id
/// cannot both pass), then bound to its record by the shard that created it.
///
/// Lock order: a shard lock may be held while taking an index lock, never the reverse, so
/// `reserve` checks the liveness of an earlier holder of the id between two index locks.
final class IdIndex: Sendable {
    /// One id's state in 8 bytes. The holder's handle names its shard in its tag bits, and
    /// generations stay below 2^31, which leaves the generation's top bit to mark a reservation.
    struct Entry: Equatable {
        private var raw: UInt64
        private static let reservedBit: UInt64 = 1 << 31
        /// A reservation with no earlier holder: no handle has index `UInt32.max`.
        private static let reservedAlone = Entry(raw: .max)
        /// What a free slot of the map holds.
        static let vacant = Entry(raw: 0)

        private init(raw: UInt64) { self.raw = raw }

        static func bound(_ handle: RecordHandle) -> Entry {
            Entry(raw: UInt64(handle.index) << 32 | UInt64(handle.generation))
        }

        /// Being submitted; `previous` is an ended operation that still answers queries until then.
        static func reserved(previous: RecordHandle?) -> Entry {
            previous.map { Entry(raw: bound($0).raw | reservedBit) } ?? reservedAlone
        }

        var isReserved: Bool { raw & Self.reservedBit != 0 }

        /// The bound operation, or the previous holder of a reservation.
        var handle: RecordHandle? {
            guard self != Self.reservedAlone else { return nil }
            return RecordHandle(index: UInt32(raw >> 32), generation: UInt32(truncatingIfNeeded: raw & ~Self.reservedBit))
        }
    }

    private final class Bucket: Sendable {
        /// Sized for a first burst of ids, so a young coordinator does not rehash every bucket
        /// five times over while they fill.
        let map = Mutex(StringSlotMap(vacant: Entry.vacant, capacity: 48))
    }

    private let shards: [Bucket]
    private let shardBits: Int

    /// `shardBits` also says how many tag bits of an operation handle name its coordinator shard.
    init(shardBits: Int) {
        shards = (0..<(1 << shardBits)).map { _ in Bucket() }
        self.shardBits = shardBits
    }

    private func ref(_ handle: RecordHandle) -> OperationRef {
        OperationRef(shard: GenerationalRegistry<RecordHandle>.tag(of: handle, tagBits: shardBits), handle: handle)
    }

    private func shard(_ id: StoredID) -> Bucket { shards[ShardHash.of(id.text, bits: shardBits)] }

    func lookup(_ id: StoredID) -> OperationRef? {
        shard(id).map.withLock { map in map.slot(of: id.text).flatMap { map[$0].handle } }.map(ref)
    }

    /// Claims `id` for a new operation, unless a live operation (per `isLive`) or another
    /// submission holds it.
    func reserve(_ id: StoredID, isLive: (OperationRef) -> Bool) throws(SextonError) {
        let shard = shard(id)
        while true {
            let holder = try shard.map.withLock { map throws(SextonError) -> RecordHandle? in
                let (slot, inserted) = map.slot(insertingIfAbsent: id.text, .reserved(previous: nil))
                if inserted { return nil }
                if map[slot].isReserved { throw Self.duplicate(id) }
                return map[slot].handle
            }
            guard let holder else { return }
            if isLive(ref(holder)) { throw Self.duplicate(id) }
            let claimed = shard.map.withLock { map in
                guard let slot = map.slot(of: id.text), map[slot] == .bound(holder) else { return false }
                map[slot] = .reserved(previous: holder)
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
    func claim(_ id: StoredID, for ref: OperationRef, isLive: (OperationRef) -> Bool?) -> Claim {
        shard(id).map.withLock { map in
            let (slot, inserted) = map.slot(insertingIfAbsent: id.text, .bound(ref.handle))
            if inserted { return .claimed(previous: nil) }
            if map[slot].isReserved { return .duplicate }
            let holder = self.ref(map[slot].handle!)
            switch isLive(holder) {
            case true?: return .duplicate
            case false?:
                map[slot] = .bound(ref.handle)
                return .claimed(previous: holder)
            case nil: return .undecided
            }
        }
    }

    /// Undoes a `claim` after the submission was refused.
    func unclaim(_ id: StoredID, from ref: OperationRef, previous: OperationRef?) {
        shard(id).map.withLock { map in
            guard let slot = map.slot(of: id.text), map[slot] == .bound(ref.handle) else { return }
            map.set(slot, previous.map { .bound($0.handle) })
        }
    }

    /// Gives a reservation back after the submission failed.
    func release(_ id: StoredID) {
        shard(id).map.withLock { map in
            guard let slot = map.slot(of: id.text), map[slot].isReserved else { return }
            map.set(slot, map[slot].handle.map { .bound($0) })
        }
    }

    func bind(_ id: StoredID, to ref: OperationRef) {
        shard(id).map.withLock { map in
            let slot = map.slot(insertingIfAbsent: id.text, .bound(ref.handle)).slot
            map[slot] = .bound(ref.handle)
        }
    }

    /// Forgets `id` unless it has been claimed again since `ref` held it.
    func remove(_ id: StoredID, boundTo ref: OperationRef) {
        shard(id).map.withLock { map in
            guard let slot = map.slot(of: id.text) else { return }
            if map[slot] == .bound(ref.handle) {
                map.remove(slot: slot)
            } else if map[slot] == .reserved(previous: ref.handle) {
                map[slot] = .reserved(previous: nil)
            }
        }
    }

    static func duplicate(_ id: StoredID) -> SextonError {
        SextonError(.conflict, "an operation with id \(id.external) is still live", field: "id")
    }
}

private extension StringSlotMap<IdIndex.Entry> {
    /// Sets the entry in `slot`, or removes it for nil.
    mutating func set(_ slot: Int, _ entry: IdIndex.Entry?) {
        if let entry { self[slot] = entry } else { remove(slot: slot) }
    }
}
