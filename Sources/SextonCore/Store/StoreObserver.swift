/// The kinds of round trip a shared store makes (`sexton_store_request_duration_seconds`'s
/// `operation` label).
public enum StoreOperation: String, CaseIterable, Sendable {
    case submit, transition, read, sweep, cleanup
}

/// Hears each round trip a shared store makes: the metrics, and the `store` check's p99.
public protocol StoreObserver: Sendable {
    func storeRound(_ operation: StoreOperation, duration: Duration, failed: Bool)
}

/// Several store observers as one.
public struct StoreObservers: StoreObserver {
    let all: [any StoreObserver]

    public init(_ all: [any StoreObserver]) {
        self.all = all
    }

    public func storeRound(_ operation: StoreOperation, duration: Duration, failed: Bool) {
        for o in all { o.storeRound(operation, duration: duration, failed: failed) }
    }
}
