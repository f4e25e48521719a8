import SextonCore
import Synchronization

/// Clocks that move only when told to: `advance` moves both, `stepWallClock` the wall clock alone.
public final class ManualClock: SextonClock {
    private let current: Atomic<Int64>
    private let wallOffset: Atomic<Int64>

    public init(
        _ start: Timestamp = Timestamp(nanoseconds: 1_000_000_000_000),
        wall: WallTime = WallTime(nanosecondsSinceEpoch: 1_700_000_000_000_000_000)
    ) {
        current = Atomic(start.nanoseconds)
        wallOffset = Atomic(wall.nanosecondsSinceEpoch - start.nanoseconds)
    }

    public func now() -> Timestamp { Timestamp(nanoseconds: current.load(ordering: .acquiring)) }

    public func wallNow() -> WallTime {
        WallTime(nanosecondsSinceEpoch: current.load(ordering: .acquiring) &+ wallOffset.load(ordering: .acquiring))
    }

    public func advance(by duration: Duration) {
        current.add(duration.nanoseconds, ordering: .acquiringAndReleasing)
    }

    /// A step of the wall clock alone, as NTP or `date -s` makes.
    public func stepWallClock(by duration: Duration) {
        wallOffset.add(duration.nanoseconds, ordering: .acquiringAndReleasing)
    }
}
