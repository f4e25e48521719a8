/// Histogram buckets, chosen for what each histogram measures (docs/metrics.md says why).
enum Buckets {
    /// Conflict resolution runs in microseconds in-process; 100 ms is already an incident.
    static let conflictResolution: [Duration] = [
        .nanoseconds(1_000), .nanoseconds(2_500), .nanoseconds(5_000), .microseconds(10), .microseconds(25),
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .nanoseconds(2_500_000), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100),
    ]
    /// In-memory removal takes microseconds; an audit-log fsync or a webhook takes up to seconds.
    static let cleanupDuration: [Duration] = [
        .microseconds(1), .microseconds(5), .microseconds(10), .microseconds(50), .microseconds(100),
        .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50),
        .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(10),
    ]
    /// Zombies live from about a second (immediate, lazy) to days (retention, `none`).
    static let zombieAge: [Duration] = [1, 10, 30, 60, 300, 600, 1800, 3600, 7200, 21600, 43200, 86400, 172_800, 259_200, 604_800]
        .map { .seconds($0) }
    /// A round trip to PostgreSQL on the same network takes about a millisecond; seconds mean
    /// the store is in trouble (the deadline is `connect_timeout`, 5 s by default).
    static let storeRequest: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .nanoseconds(2_500_000), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .nanoseconds(2_500_000_000), .seconds(5),
    ]
    /// A batch holds at least two operations; the staging limit per target defaults to 20.
    static let operationsPerConflict: [Double] = [2, 3, 4, 5, 6, 8, 12, 16, 24, 32, 48, 64]
}
