import Testing
@testable import SextonCore
import SextonCoreTesting

/// Rules measure on the monotonic clock: a step of the wall clock (NTP, `date -s`) ends no grace
/// period and no lease, and only moves the times users read.
@Suite struct CoordinatorClockTests {
    @Test func aWallClockStepEndsNoGracePeriodAndNoLease() throws {
        let h = CoordinatorHarness { $0.gracePeriod = .milliseconds(200); $0.leaseTimeout = .seconds(30) }
        let first = try #require(try h.submit(OperationRequest(id: "a", target: "t", priority: .low)))
        #expect(first.isAdmitted)
        h.clock.stepWallClock(by: .seconds(3600))
        h.coordinator.maintain()
        #expect(h.coordinator.operation("a")?.status == .admitted)
        let second = try #require(try h.submit(OperationRequest(id: "b", target: "t", priority: .high)))
        #expect(second.reason == .gracePeriod)

        h.clock.stepWallClock(by: .seconds(-7200))
        h.clock.advance(by: .seconds(29))
        h.coordinator.maintain()
        #expect(h.coordinator.operation("a")?.status == .admitted)
        h.clock.advance(by: .seconds(1))
        h.coordinator.maintain()
        #expect(h.coordinator.operation("a")?.status == .expired)
    }

    @Test func wallTimesFollowTheWallClockAsItReadsNow() {
        let clock = ManualClock(Timestamp(nanoseconds: 5_000_000_000), wall: WallTime(nanosecondsSinceEpoch: 1_000_000_000_000))
        let event = clock.now()
        clock.advance(by: .seconds(2))
        #expect(clock.wallClock.time(of: event) == WallTime(nanosecondsSinceEpoch: 1_000_000_000_000))
        clock.stepWallClock(by: .seconds(60))
        // Two seconds ago by the monotonic clock, on the corrected wall clock.
        #expect(clock.wallClock.time(of: event) == WallTime(nanosecondsSinceEpoch: 1_060_000_000_000))
    }
}
