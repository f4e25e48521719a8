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

/// SplitMix64: a fast, seedable generator, so sampling costs nanoseconds (no system call per
/// draw) and tests can fix the sequence.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
