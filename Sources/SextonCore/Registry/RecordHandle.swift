/// Where the coordinator keeps an operation's record: a generational handle into a shard's
/// `OperationTable` (its tag bits name the shard), so a handle kept by an index, a queue or a
/// loser never reaches a record that reused its slot. Never shown outside the core: what
/// clients see of an admitted operation is its registry entity (`EntityID`).
struct RecordHandle: GenerationalID {
    let index: UInt32
    let generation: UInt32
}
