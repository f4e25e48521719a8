/// An id a `GenerationalRegistry` hands out: an index (a registry's tag in its low bits) and
/// the generation of its slot.
public protocol GenerationalID: Hashable, Sendable {
    var index: UInt32 { get }
    var generation: UInt32 { get }
    init(index: UInt32, generation: UInt32)
}

/// The registry of entities (CONTRACT §2.4's `ecs_id`s).
public typealias EntityRegistry = GenerationalRegistry<EntityID>

/// Generational ids with O(1) create and destroy.
///
/// Like EnTT's entity storage, the generation is bumped when an id is destroyed, so an id
/// held past its death never matches the slot again, even once the slot is reused.
/// Components live in the owner's arrays, indexed by `slot(of:)`. The registry entities and
/// the coordinator's record handles are each one, with their own id type.
///
/// A registry can carry a `tag` in the low bits of every index it hands out, so several
/// registries (one per coordinator shard) share one id space and an id names its registry.
///
/// Inlinable, so a client module's use is specialized for its id type rather than going
/// through the generic's witness tables on every create and lookup.
public struct GenerationalRegistry<ID: GenerationalID>: Sendable {
    /// Per slot: generation << 1 | alive.
    @usableFromInline var states: [UInt32] = []
    @usableFromInline var free: [UInt32] = []
    public let tag: UInt32
    public let tagBits: Int

    @usableFromInline var live = 0

    /// Live entities.
    public var count: Int { live }

    @inlinable
    public init(tag: UInt32 = 0, tagBits: Int = 0) {
        precondition((0..<16).contains(tagBits) && tag < (1 << tagBits), "tag must fit in tagBits")
        self.tag = tag
        self.tagBits = tagBits
    }

    /// The number of slots ever allocated: the bound for arrays indexed by `slot(of:)`.
    @inlinable
    public var slotCount: Int { states.count }

    /// The registry tag an id was created with, for registries made with `tagBits`.
    @inlinable
    public static func tag(of id: ID, tagBits: Int) -> UInt32 { id.index & ((1 << tagBits) - 1) }

    @inlinable
    public mutating func create() -> ID {
        live += 1
        if let slot = free.popLast() {
            states[Int(slot)] |= 1
            return ID(index: slot << tagBits | tag, generation: states[Int(slot)] >> 1)
        }
        let slot = UInt32(states.count)
        precondition(slot < UInt32.max >> tagBits, "entity index space exhausted")
        states.append(1)
        return ID(index: slot << tagBits | tag, generation: 0)
    }

    /// The id the next `create()` returns, so it can be published before the entity exists.
    var nextID: ID {
        if let slot = free.last { return ID(index: slot << tagBits | tag, generation: states[Int(slot)] >> 1) }
        return ID(index: UInt32(states.count) << tagBits | tag, generation: 0)
    }

    /// Destroys a live entity; false (and nothing changes) for a stale or unknown id.
    @inlinable @discardableResult
    public mutating func destroy(_ id: ID) -> Bool {
        guard let slot = slot(of: id) else { return false }
        // Generations wrap within 31 bits; a wrapped id would need 2^31 reuses of one slot.
        states[slot] = ((states[slot] >> 1) &+ 1) << 1
        free.append(UInt32(slot))
        live -= 1
        return true
    }

    /// The id of the live entity in `slot`.
    func id(ofSlot slot: Int) -> ID {
        ID(index: UInt32(slot) << tagBits | tag, generation: states[slot] >> 1)
    }

    @inlinable
    public func contains(_ id: ID) -> Bool { slot(of: id) != nil }

    /// The slot of a live entity, or nil when the id is stale, unknown or from another registry.
    @inlinable
    public func slot(of id: ID) -> Int? {
        guard id.index & ((1 << tagBits) - 1) == tag else { return nil }
        let slot = Int(id.index >> tagBits)
        guard slot < states.count, id.generation < 1 << 31, states[slot] == id.generation << 1 | 1 else { return nil }
        return slot
    }
}
