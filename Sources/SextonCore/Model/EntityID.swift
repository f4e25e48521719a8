/// A generational registry id: a freed index is reused with its generation bumped, so a stale
/// id never resolves to the entity that replaced it.
public struct EntityID: Hashable, Sendable, CustomStringConvertible {
    public let index: UInt32
    public let generation: UInt32

    public init(index: UInt32, generation: UInt32) {
        self.index = index
        self.generation = generation
    }

    /// Parses the `"<index>v<generation>"` rendering.
    public init?(_ text: String) {
        let parts = text.split(separator: "v", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = UInt32(parts[0]), let generation = UInt32(parts[1]) else { return nil }
        self.init(index: index, generation: generation)
    }

    public var description: String { "\(index)v\(generation)" }
}

extension EntityID {
    /// Never a live id (generations stay below 2^31): "no entity" in 8 bytes where an optional
    /// id takes 9, which padding makes 16.
    static let none = EntityID(index: .max, generation: .max)
}
