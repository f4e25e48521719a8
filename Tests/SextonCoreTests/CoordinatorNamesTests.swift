import SextonCore
import Testing

/// Target types and op types are interned per shard: views and zombies must still show each
/// operation's own names, also once other operations with other names came and went.
@Suite struct CoordinatorNamesTests {
    @Test func viewsAndZombiesShowEachOperationsNames() throws {
        let h = CoordinatorHarness { $0.gracePeriod = .zero }
        try h.submit(OperationRequest(id: "a", target: "t", targetType: "db_row", opType: "write.v2"))
        try h.submit(OperationRequest(id: "b", target: "u", targetType: "file", opType: "read"))
        try h.coordinator.cancel("b")
        try h.submit(OperationRequest(id: "c", target: "t", targetType: "db_row", opType: "migrate", priority: .critical))

        let a = try #require(h.coordinator.operation("a"))
        #expect((a.targetType, a.opType, a.status) == ("db_row", "write.v2", .rejected))
        let b = try #require(h.coordinator.operation("b"))
        #expect((b.targetType, b.opType) == ("file", "read"))
        let c = try #require(h.coordinator.operation("c"))
        #expect((c.targetType, c.opType) == ("db_row", "migrate"))
        #expect(h.sink.all.map { [$0.operationID, $0.targetType, $0.opType] } == [["a", "db_row", "write.v2"]])
    }

    @Test func namesOfForgottenOperationsDoNotLeakIntoNewOnes() throws {
        let h = CoordinatorHarness { $0.historyRetention = .seconds(1) }
        for n in 0..<50 {
            try h.submit(OperationRequest(id: "old\(n)", target: "t\(n)", targetType: "type_\(n)", opType: "op_\(n)"))
            try h.coordinator.cancel("old\(n)")
        }
        h.advance(.seconds(2))
        h.coordinator.maintain()
        #expect(h.coordinator.operation("old0") == nil)
        for n in 0..<50 {
            try h.submit(OperationRequest(id: "new\(n)", target: "t\(n)", targetType: "kind_\(n)", opType: "do_\(n)"))
            let view = try #require(h.coordinator.operation("new\(n)"))
            #expect((view.targetType, view.opType) == ("kind_\(n)", "do_\(n)"))
        }
    }
}
