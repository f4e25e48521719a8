/// What one pass did (`POST /admin/cleanup`, CONTRACT §3.3).
public struct CleanupPassResult: Sendable, Equatable {
    public var trigger: PassTrigger
    public var dryRun: Bool
    public var all: Bool
    /// What the pass would remove (in a dry run) or tried to remove.
    public var candidates = 0
    /// What it removed; 0 in a dry run.
    public var cleaned = 0
    /// Handler failures; those zombies stay and are retried.
    public var failed = 0
    public var duration: Duration = .zero
    /// Removed zombies per strategy label, or in a dry run the candidates per label.
    public var byStrategy: [StrategyLabel: Int] = [:]
    public var finishedAt: Timestamp

    public init(trigger: PassTrigger, dryRun: Bool, all: Bool, finishedAt: Timestamp) {
        self.trigger = trigger
        self.dryRun = dryRun
        self.all = all
        self.finishedAt = finishedAt
    }
}
