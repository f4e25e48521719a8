import SextonCore
import Synchronization
import Testing

@Suite struct CoordinatorAccountingTests {
    /// Decisions delivered by windows, in arrival order.
    final class Queue: Sendable {
        private let items = Mutex<[Decision]>([])
        var completion: @Sendable (Decision) -> Void { { decision in self.items.withLock { $0.append(decision) } } }
        func drain() -> [Decision] { items.withLock { items in defer { items = [] }; return items } }
    }

    /// A seeded workload shaped like the reference stress test: windows and batches of 3–8 on a
    /// few targets, mixed priorities, and an application that starts, heartbeats, completes,
    /// fails, cancels and vanishes, while a cleanup removes zombies.
    @Test func identitiesHoldThroughoutASeededRandomRun() throws {
        let h = CoordinatorHarness {
            $0.stagingWindow = .milliseconds(5)
            $0.leaseTimeout = .seconds(1)
            $0.historyRetention = .seconds(2)
            $0.maxOpsPerTarget = 50
        }
        var rng = SplitMix64(seed: 42)
        let queue = Queue()
        var live: [String: Bool] = [:]  // admitted id → started
        var liveOrder: [String] = []
        var handedOut = 0
        var removed = 0
        var accepted = 0
        var next = 0

        func newRequest() -> OperationRequest {
            next += 1
            return OperationRequest(
                id: "op\(next)", target: "target\(Int.random(in: 0..<40, using: &rng))",
                priority: Priority(Int.random(in: 1...10, using: &rng))!,
                parent: Int.random(in: 0..<20, using: &rng) == 0 ? "op\(Int.random(in: 1...next, using: &rng))" : nil,
                expectedVersion: Int.random(in: 0..<20, using: &rng) == 0 ? Int.random(in: 0..<3, using: &rng) : nil)
        }
        func admitted(_ decision: Decision) {
            guard decision.isAdmitted else { return }
            live[decision.id] = false
            liveOrder.append(decision.id)
        }

        while next < 100_000 {
            if Int.random(in: 0..<4, using: &rng) == 0 {
                let size = Int.random(in: 3...8, using: &rng)
                for result in h.coordinator.submitBatch((0..<size).map { _ in newRequest() }) {
                    if case .success(let decision) = result {
                        accepted += 1
                        admitted(decision)
                    }
                }
            } else {
                do {
                    try h.coordinator.submit(newRequest(), completion: queue.completion)
                    accepted += 1
                } catch {
                    #expect(error.code == .stagingFull)
                }
            }

            for _ in 0..<3 where !liveOrder.isEmpty {
                let index = Int.random(in: 0..<liveOrder.count, using: &rng)
                let id = liveOrder[index]
                do {
                    switch (live[id]!, Int.random(in: 0..<10, using: &rng)) {
                    case (false, 0..<7): try h.coordinator.start(id); live[id] = true; continue
                    case (false, 7): try h.coordinator.cancel(id)
                    case (true, 0..<4): try h.coordinator.heartbeat(id); continue
                    case (true, 4..<7): try h.coordinator.complete(id, outcome: .succeeded)
                    case (true, 7): try h.coordinator.complete(id, outcome: .failed, error: "boom")
                    case (true, 8): try h.coordinator.cancel(id)
                    case (false, _), (true, _): break  // the application vanishes: the lease will run out
                    }
                } catch {
                    #expect(error.code == .conflict)
                }
                live[id] = nil
                liveOrder.swapAt(index, liveOrder.count - 1)
                liveOrder.removeLast()
            }

            h.advance(.microseconds(Int64.random(in: 0..<3000, using: &rng)))
            h.scheduler.runDue()
            h.coordinator.maintain()
            queue.drain().forEach(admitted)

            let zombies = h.sink.all
            for zombie in zombies[handedOut...] where Int.random(in: 0..<3, using: &rng) > 0 {
                if h.coordinator.removeZombie(zombie.entity, operationID: zombie.operationID) { removed += 1 }
                #expect(!h.coordinator.removeZombie(zombie.entity, operationID: zombie.operationID))
            }
            handedOut = zombies.count

            if next % 10_000 < 8 {
                expectIdentities(h.coordinator.snapshot(), zombiesHandedOut: h.sink.all.count)
            }
        }

        let s = h.coordinator.snapshot()
        expectIdentities(s, zombiesHandedOut: h.sink.all.count)
        #expect(s.submitted == accepted)
        #expect(s.zombiesRemoved == removed)
        #expect(s.preempted > 0, "\(s)")
        #expect(s.expired > 0, "\(s)")
        #expect(s.failed > 0)
        #expect(s.cancelled > 0)
        #expect(s.succeeded > 0)
        #expect(s.gracePeriodSaves > 0)
    }

    @Test func manyThreadsSubmittingAtOnce() async throws {
        let h = CoordinatorHarness()
        let coordinator = h.coordinator
        let succeeded = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var done = 0
                    for n in 0..<2_000 {
                        let request = OperationRequest(id: "w\(worker)-\(n)", target: "t\(n % 16)")
                        guard let decision = try? await coordinator.submit(request), decision.isAdmitted else { continue }
                        do {
                            try coordinator.start(decision.id)
                            try coordinator.complete(decision.id, outcome: .succeeded)
                            done += 1
                        } catch {
                            Issue.record("unexpected \(error)")
                        }
                    }
                    return done
                }
            }
            return await group.reduce(0, +)
        }
        let s = coordinator.snapshot()
        #expect(s.submitted == 16_000)
        #expect(s.succeeded == succeeded)
        #expect(s.active == 0)
        #expect((0..<16).map { coordinator.target("t\($0)").version }.reduce(0, +) == succeeded)
        expectIdentities(s, zombiesHandedOut: 0)
    }

    @Test func concurrentSubmissionsOfOneIDAdmitOnlyOne() async {
        let h = CoordinatorHarness()
        let coordinator = h.coordinator
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for worker in 0..<16 {
                group.addTask { (try? await coordinator.submit(OperationRequest(id: "dup", target: "t\(worker)"))) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        #expect(coordinator.snapshot().submitted == 1)
    }
}
