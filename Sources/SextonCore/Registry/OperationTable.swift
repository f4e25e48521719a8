/// A slab of operation records addressed by generational handles (a `GenerationalRegistry` decides
/// the slots), so a handle kept by an index never reaches a record that reused its slot.
struct OperationTable {
    private var slots: GenerationalRegistry<RecordHandle>
    private var records: [OperationRecord] = []

    /// Handles carry `tag` (the shard's number) like the shard's entities, so a handle alone
    /// says which shard holds its record.
    init(tag: UInt32, tagBits: Int) { slots = GenerationalRegistry(tag: tag, tagBits: tagBits) }

    var count: Int { slots.count }

    mutating func insert(_ record: OperationRecord) -> RecordHandle {
        let handle = slots.create()
        let slot = Int(handle.index >> slots.tagBits)
        if slot == records.count { records.append(record) } else { records[slot] = record }
        return handle
    }

    /// The handle the next `insert` returns.
    var nextHandle: RecordHandle { slots.nextID }

    func slot(of handle: RecordHandle) -> Int? { slots.slot(of: handle) }

    func handle(ofSlot slot: Int) -> RecordHandle { slots.id(ofSlot: slot) }

    mutating func remove(_ handle: RecordHandle) {
        guard let slot = slots.slot(of: handle) else { return }
        records[slot] = .vacant
        slots.destroy(handle)
    }

    subscript(slot: Int) -> OperationRecord {
        _read { yield records[slot] }
        _modify { yield &records[slot] }
    }
}
