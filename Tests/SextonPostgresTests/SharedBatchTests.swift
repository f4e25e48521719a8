import Logging
import PostgresNIO
import SextonCore
import Testing

@testable import SextonPostgres

/// A replica stages the submissions that arrive together in one statement and resolves every
/// closed window it waits on in one transaction (CONTRACT §10): each member is decided as if it
/// came alone, and the limits count the group's own members in arrival order.
@Suite struct SharedBatchTests {
    let logger = Logger(label: "shared-batch")

    @Test func oneStatementStagesAGroupAndRefusesEachMemberAsTheLimitsSay() async throws {
        let logger = logger
        try await PostgresCluster.withStaging(ResolutionSettings(
            stagingWindow: .seconds(60), gracePeriod: .zero, protectExecuting: false, leaseTimeout: .zero,
            maxOpsPerTarget: 2, maxStagingSize: 5), logger: logger
        ) { client, staging in
            let group = [("a1", "a"), ("a2", "a"), ("a3", "a"), ("a1", "b"), ("b1", "b"), ("c1", "c")]
                .map { SharedStaging.Submission(OperationRequest(id: $0.0, target: $0.1), id: $0.0) }
            let results = try await client.withConnection { connection in
                try await staging.stage(group, on: connection, logger: logger)
            }
            func refusal(_ index: Int) -> SextonError? {
                guard case .failure(let error) = results[index] else { return nil }
                return error
            }
            #expect(results.count == group.count)
            #expect(refusal(0) == nil && refusal(1) == nil && refusal(4) == nil)
            #expect(refusal(2)?.message.contains("max_ops_per_target (2)") == true)
            #expect(refusal(3)?.code == .conflict)
            #expect(refusal(3)?.field == "id")
            // The sixth member is past max_staging_size 5 counting the group's own (refused ones too).
            #expect(refusal(5)?.message.contains("max_staging_size (5)") == true)
            let windows = try await client.query(
                PostgresQuery(unsafeSQL: "SELECT string_agg(name, ',' ORDER BY name) FROM sexton.targets"), logger: logger
            ).decode(String.self).collect()
            // c's only member was refused: no window opened for it.
            #expect(windows == ["a,b"])
            if case .success(let closesIn) = results[0] { #expect(closesIn > .seconds(50)) }
        }
    }

    @Test func oneTransactionResolvesEveryTargetAsIfEachCameAlone() async throws {
        let logger = logger
        try await PostgresCluster.withStaging(ResolutionSettings(
            stagingWindow: .zero, gracePeriod: .zero, protectExecuting: false, leaseTimeout: .seconds(30)), logger: logger
        ) { client, staging in
            func stage(_ members: [(String, String, Priority)]) async throws {
                let results = try await client.withConnection { connection in
                    try await staging.stage(members.map {
                        SharedStaging.Submission(OperationRequest(id: $0.0, target: $0.1, priority: $0.2), id: $0.0)
                    }, on: connection, logger: logger)
                }
                for result in results { _ = try result.get() }
            }
            // t0 gets a holder that the next round preempts; t1 a batch of two; t2 one alone.
            try await stage([("h", "t0", .low)])
            _ = try await staging.resolve(target: "t0", on: client, logger: logger)
            try await stage([("p", "t0", .critical), ("x", "t1", .normal), ("y", "t1", .high), ("z", "t2", .normal)])
            let resolutions = try await staging.resolve(["t0", "t1", "t2", "t3"], on: client, logger: logger)
            func batch(_ target: String) -> SharedStaging.ResolvedBatch? {
                guard case .resolved(let batch) = resolutions[target] else { return nil }
                return batch
            }
            #expect(batch("t0")?.decisions.map(\.isAdmitted) == [true])
            #expect(batch("t0")?.endedHolder == .preempted)
            #expect(batch("t1")?.decisions.map { "\($0.id):\($0.isAdmitted):\($0.winner ?? "-")" } == ["x:false:y", "y:true:y"])
            #expect(batch("t1")?.detected == true)
            #expect(batch("t2")?.decisions.map(\.isAdmitted) == [true])
            #expect(batch("t2")?.detected == false)
            #expect(resolutions["t3"] == .busy || resolutions["t3"] == .nothingStaged)
            // Three winners, three distinct entities; the preempted holder keeps its own as a zombie.
            let entities = Set([batch("t0"), batch("t1"), batch("t2")].compactMap { $0?.decisions.first(where: \.isAdmitted)?.ecsId })
            #expect(entities.count == 3)
            let rows = try await client.query(PostgresQuery(unsafeSQL: """
                SELECT string_agg(name || '=' || coalesce(active_id, '-'), ',' ORDER BY name) FROM sexton.targets
                WHERE window_closes_at IS NULL
                """), logger: logger).decode(String.self).collect()
            #expect(rows == ["t0=p,t1=y,t2=z"])
            let zombies = try await client.query(
                PostgresQuery(unsafeSQL: "SELECT operation_id FROM sexton.zombies"), logger: logger).decode(String.self).collect()
            #expect(zombies == ["h"])
        }
    }
}
