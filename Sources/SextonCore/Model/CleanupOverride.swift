/// The cleanup keys a policy (`policies.<op_type>`) or a single operation (`cleanup:`) may set
/// over the global section. Keys that only make sense for the whole engine (check interval,
/// memory pressure, thresholds, dry run) are global only.
/// Codable so a shared store can keep an operation's override with it.
public struct CleanupOverride: Sendable, Equatable, Codable {
    public var strategy: CleanupStrategy?
    public var retention: Duration?
    public var maxZombieAge: Duration?
    public var immediatePriorities: Set<Int>?
    public var resourceHeavyOperations: Set<String>?
    public var debugImportantOperations: Set<String>?
    public var debugMode: Bool?
    public var customHandler: String?
    public var retry: RetryPolicy?

    public init() {}
}
