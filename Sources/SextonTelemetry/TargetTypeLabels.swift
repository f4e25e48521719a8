import Synchronization

/// Caps the `target_type` label: the first `limit` distinct types keep their own label, the rest
/// share `other`, so a client inventing types cannot blow up the series count. `default`, the
/// type of every operation that names none, is shown from the start and takes the first place.
public final class TargetTypeLabels: Sendable {
    public static let other = "other"
    public static let preinitialized = "default"
    private let limit: Int
    private let known = Mutex<Set<String>>([preinitialized])

    public init(limit: Int) { self.limit = limit }

    public func label(for targetType: String) -> String {
        known.withLock { known in
            if known.contains(targetType) { return targetType }
            guard known.count < limit, targetType != Self.other else { return Self.other }
            known.insert(targetType)
            return targetType
        }
    }

    /// Counts per type folded into their labels.
    public func fold(_ counts: [String: Int]) -> [String: Int] {
        var folded: [String: Int] = [:]
        for (type, count) in counts.sorted(by: { $0.key < $1.key }) {
            folded[label(for: type), default: 0] += count
        }
        return folded
    }
}
