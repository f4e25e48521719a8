/// A shard's target states by name. The hot path hashes a name once per submission; records
/// keep their target's slot, so later calls reach the state without hashing.
struct TargetTable {
    /// Starts with room for a first burst of targets, as `IdIndex` buckets do.
    private var map = StringSlotMap(vacant: TargetState(), capacity: 64)
    let shard: UInt32
    let idle: IdleTargets

    init(shard: UInt32, idle: IdleTargets) {
        self.shard = shard
        self.idle = idle
    }

    /// The slot and state of a known target, without adding it.
    func find(_ name: String) -> (slot: UInt32, state: TargetState)? {
        map.slot(of: name).map { (UInt32($0), map[$0]) }
    }

    func name(at slot: UInt32) -> String { map.key(at: Int(slot)) }

    /// The slot of `name`, added with an empty state if new.
    mutating func slot(of name: String) -> UInt32 {
        let (slot, inserted) = map.slot(insertingIfAbsent: name, TargetState())
        if inserted { idle.remembered.add(1, ordering: .relaxed) }
        return UInt32(slot)
    }

    /// Moves the state in `slot` out of the table until `checkIn`, leaving an empty one.
    mutating func checkOut(_ slot: UInt32) -> TargetState {
        var state = TargetState()
        swap(&state, &map[Int(slot)])
        return state
    }

    /// Puts back what `checkOut` took; a target with nothing to remember leaves the table, and
    /// one kept only for its version joins (or, named again, leaves) the idle targets.
    mutating func checkIn(_ slot: UInt32, _ state: TargetState) {
        var state = state
        if state.uses > 0, state.idleNode != IdleTargets.none {
            idle.unlink(state.idleNode)
            state.idleNode = IdleTargets.none
        } else if state.uses == 0, state.version > 0, state.idleNode == IdleTargets.none {
            state.idleNode = idle.link(shard: shard, slot: slot)
        }
        if state.isIdle {
            map.remove(slot: Int(slot))
            idle.remembered.subtract(1, ordering: .relaxed)
        } else {
            map[Int(slot)] = state
        }
    }

    /// Forgets the target in `slot` if it is still the idle one `node` named (it may have been
    /// named again since it was taken off the list). Returns whether it did.
    mutating func evict(_ slot: UInt32, node: UInt32) -> Bool {
        // A freed slot holds a vacant state, whose node is none: slots never shrink away.
        let state = map[Int(slot)]
        guard state.idleNode == node, state.uses == 0 else { return false }
        map.remove(slot: Int(slot))
        idle.remembered.subtract(1, ordering: .relaxed)
        return true
    }

    /// One record naming the target in `slot` was forgotten.
    mutating func release(_ slot: UInt32) {
        var state = checkOut(slot)
        state.uses -= 1
        checkIn(slot, state)
    }
}
