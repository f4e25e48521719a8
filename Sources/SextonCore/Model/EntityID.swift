/// A generational registry id: a freed index is reused with its generation bumped, so a stale
/// id never resolves to the entity that replaced it.
public struct EntityID: GenerationalID, CustomStringConvertible {
    public let index: UInt32
    public let generation: UInt32

    @inlinable
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
