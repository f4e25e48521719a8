import Testing
@testable import SextonCore

@Suite struct CleanupDueQueueTests {
    private func entry(_ due: Int64, _ id: UInt64) -> DueQueue.Entry {
        DueQueue.Entry(due: due, slot: Int32(id), scheduleID: id)
    }

    @Test func popsInDueOrderWhateverThePushOrder() {
        var queue = DueQueue()
        let dues: [Int64] = [10, 20, 30, 5, 25, 40, 1, 40, 35]
        for (i, due) in dues.enumerated() { queue.push(entry(due, UInt64(i + 1))) }
        #expect(queue.count == dues.count)
        #expect(queue.entries(dueAt: 25).map(\.due) == [1, 5, 10, 20, 25])
        var popped: [Int64] = []
        while let next = queue.popEarliest() { popped.append(next.due) }
        #expect(popped == dues.sorted())
        #expect(queue.earliest == nil)
    }

    @Test func compactionDropsStaleEntriesAndKeepsOrder() {
        var queue = DueQueue()
        for i in 1...100 { queue.push(entry(Int64(i % 7 == 0 ? 1000 - i : i), UInt64(i))) }
        queue.compact { $0.scheduleID % 2 == 0 }
        #expect(queue.count == 50)
        var previous = Int64.min
        while let next = queue.popEarliest() {
            #expect(next.scheduleID % 2 == 0)
            #expect(next.due >= previous)
            previous = next.due
        }
    }
}
