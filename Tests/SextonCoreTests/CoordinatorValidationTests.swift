import SextonCore
import Testing

@Suite struct CoordinatorValidationTests {
    private func field(_ request: OperationRequest) -> String? {
        do {
            try request.validate()
            return nil
        } catch {
            #expect(error.code == .invalidArgument)
            return error.field
        }
    }

    @Test func acceptsTheContractsSyntax() {
        #expect(field(OperationRequest(
            id: "Op-1.2_3:x", target: "ünïcödé target/1", targetType: "db_row", opType: "write.v2-x",
            parent: "p", retryOf: "r", retryCount: 3, expectedVersion: 0)) == nil)
        #expect(field(OperationRequest(id: String(repeating: "a", count: 128), target: String(repeating: "é", count: 256))) == nil)
    }

    @Test(arguments: [
        (OperationRequest(id: "", target: "t"), "id"),
        (OperationRequest(id: String(repeating: "a", count: 129), target: "t"), "id"),
        (OperationRequest(id: "has space", target: "t"), "id"),
        (OperationRequest(id: "a/b", target: "t"), "id"),
        (OperationRequest(target: ""), "target"),
        (OperationRequest(target: String(repeating: "x", count: 257)), "target"),
        (OperationRequest(target: "tab\there"), "target"),
        (OperationRequest(target: "t", targetType: "Upper"), "target_type"),
        (OperationRequest(target: "t", targetType: "dot.ted"), "target_type"),
        (OperationRequest(target: "t", targetType: ""), "target_type"),
        (OperationRequest(target: "t", opType: "sp ace"), "op_type"),
        (OperationRequest(target: "t", opType: String(repeating: "a", count: 65)), "op_type"),
        (OperationRequest(target: "t", parent: "bad parent"), "parent"),
        (OperationRequest(target: "t", retryOf: ""), "retry_of"),
        (OperationRequest(target: "t", retryCount: -1), "retry_count"),
        (OperationRequest(target: "t", expectedVersion: -1), "expected_version"),
    ])
    func rejectsBadFields(request: OperationRequest, expected: String) {
        #expect(field(request) == expected)
    }

    @Test func submitValidatesAndChangesNothing() throws {
        let h = CoordinatorHarness()
        expectSextonError(.invalidArgument, field: "target") { () throws(SextonError) in
            try h.submit(OperationRequest(id: "x", target: ""))
        }
        #expect(h.coordinator.operation("x") == nil)
        #expect(h.coordinator.snapshot().submitted == 0)
        #expect(try h.submit("x")?.isAdmitted == true)
    }

    /// Ended operations are kept: a completion's error text is bounded, and a longer one is
    /// refused whole (the operation stays executing).
    @Test func aCompletionsErrorTextIsBounded() throws {
        let h = CoordinatorHarness()
        let id = "long"
        try h.admitAndStart(id)
        expectSextonError(.invalidArgument, field: "error") { () throws(SextonError) in
            try h.coordinator.complete(id, outcome: .failed, error: String(repeating: "é", count: Coordinator.maxErrorLength + 1))
        }
        #expect(h.status(id) == .executing)
        try h.coordinator.complete(id, outcome: .failed, error: String(repeating: "é", count: Coordinator.maxErrorLength))
        #expect(h.coordinator.operation(id)?.error?.unicodeScalars.count == Coordinator.maxErrorLength)
    }
}
