/// Per-operation cleanup keys (CONTRACT §3.4), carried by an operation from submission to its
/// zombie. Filled in by the cleanup engine's configuration.
public struct CleanupOverride: Sendable, Equatable {
    public init() {}
}
