/// The lazy zombies in a dense array, so the sampling pass can draw one at random in O(1) and
/// remove it by swapping the last one into its place. Each slot remembers its position.
struct SamplingPool {
    private(set) var slots: [Int32] = []
    private var position: [Int32] = []

    var count: Int { slots.count }

    mutating func grow(to slotCount: Int) {
        while position.count < slotCount { position.append(-1) }
    }

    func contains(_ slot: Int32) -> Bool { position[Int(slot)] >= 0 }

    mutating func insert(_ slot: Int32) {
        position[Int(slot)] = Int32(slots.count)
        slots.append(slot)
    }

    mutating func remove(_ slot: Int32) {
        let at = Int(position[Int(slot)])
        guard at >= 0 else { return }
        let moved = slots.removeLast()
        if at < slots.count {
            slots[at] = moved
            position[Int(moved)] = Int32(at)
        }
        position[Int(slot)] = -1
    }

    /// Swaps two positions, so a pass can sample without replacement by growing a prefix of
    /// already-drawn positions.
    mutating func swapPositions(_ a: Int, _ b: Int) {
        guard a != b else { return }
        slots.swapAt(a, b)
        position[Int(slots[a])] = Int32(a)
        position[Int(slots[b])] = Int32(b)
    }
}
