/// Knobs of the engine's internals that are not configuration keys: how much work one lock hold
/// may do, and the shape of the lazy sampling pass (after Redis's activeExpireCycle: sample a
/// few, remove the expired, go on while more than a quarter of the sample had expired, within a
/// time budget).
public struct CleanupTuning: Sendable {
    /// Zombies taken per lock hold, so a pass never stalls the coordinator's hand-offs.
    public var sliceSize = 1024
    public var lazySampleSize = 20
    public var lazyRepeatShare = 0.25
    /// How long one worker pass may spend sampling lazy zombies.
    public var lazyPassBudget: Duration = .milliseconds(25)
    /// Handlers running at once: each waits on its own I/O, so a slow webhook holds one of these
    /// and nothing else.
    public var handlerConcurrency = CleanupTuning.defaultHandlerConcurrency
    public static let defaultHandlerConcurrency = 32
    public var seed: UInt64

    public init(seed: UInt64 = .random(in: .min ... .max)) { self.seed = seed }
}
