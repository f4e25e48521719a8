import Logging
import PostgresNIO
@testable import SextonPostgres
import Testing

/// CONTRACT §10: the schema is created or migrated at start, and replicas starting together
/// are safe; against a real PostgreSQL started for the test.
@Suite struct SchemaMigratorTests {
    let logger = Logger(label: "migrator-test")

    @Test func replicasStartingTogetherMigrateOnceAndAgreeOnTheResult() async throws {
                let schema = try #require(StoreSchema("sexton"))
        let logger = logger
        try await PostgresCluster.with { cluster in try await cluster.withClient(maxConnections: 8) { client in
            // Eight "replicas" start at once; the advisory lock lets one create the schema.
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<8 { group.addTask { try await SchemaMigrator.migrate(client, schema: schema, logger: logger) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let latest = SchemaMigrations.all.map(\.version)
            #expect(applied.filter { !$0.isEmpty } == [latest], "exactly one start applies the migrations: \(applied)")
            let versions = try await client.query("SELECT version FROM sexton.schema_migrations ORDER BY version", logger: logger)
                .decode(Int.self).reduce(into: []) { $0.append($1) }
            #expect(versions == latest)
            // Restarting finds nothing to do.
            #expect(try await SchemaMigrator.migrate(client, schema: schema, logger: logger).isEmpty)
            let tables = try await client.query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'sexton' ORDER BY table_name", logger: logger
            ).decode(String.self).reduce(into: []) { $0.append($1) }
            #expect(tables == ["entities", "operations", "replicas", "schema_migrations", "targets", "zombies"])
        } }
    }

    @Test func aLaterMigrationIsAppliedOnTopAndAFailingOneChangesNothing() async throws {
                let schema = try #require(StoreSchema("other_app"))
        let logger = logger
        try await PostgresCluster.with { cluster in try await cluster.withClient { client in
            try await SchemaMigrator.migrate(client, schema: schema, logger: logger)
            let latest = SchemaMigrations.all.last!.version
            let next = Migration(version: latest + 1, name: "an index", statements: ["CREATE INDEX targets_idle ON {schema}.targets (idle_since)"])
            #expect(try await SchemaMigrator.migrate(client, schema: schema, migrations: SchemaMigrations.all + [next], logger: logger) == [latest + 1])
            let broken = Migration(version: latest + 2, name: "broken", statements: [
                "CREATE TABLE {schema}.half_done (x int)", "SELECT no_such_function()",
            ])
            await #expect(throws: (any Error).self) {
                try await SchemaMigrator.migrate(client, schema: schema, migrations: SchemaMigrations.all + [next, broken], logger: logger)
            }
            // The transaction rolled back: neither the table nor the version is there.
            let leftovers = try await client.query(
                "SELECT count(*)::int FROM information_schema.tables WHERE table_schema = 'other_app' AND table_name = 'half_done'", logger: logger
            ).decode(Int.self).reduce(into: []) { $0.append($1) }
            #expect(leftovers == [0])
            let versions = try await client.query("SELECT max(version) FROM other_app.schema_migrations", logger: logger)
                .decode(Int.self).reduce(into: []) { $0.append($1) }
            #expect(versions == [latest + 1])
            // The default schema is untouched by another one's migrations.
            let sexton = try await client.query("SELECT count(*)::int FROM information_schema.schemata WHERE schema_name = 'sexton'", logger: logger)
                .decode(Int.self).reduce(into: []) { $0.append($1) }
            #expect(sexton == [0])
        } }
    }

    @Test(arguments: ["", "Sexton", "1abc", "a-b", "a\"b", String(repeating: "s", count: 64), "sexton; DROP TABLE x"])
    func aSchemaNameThatIsNotAPlainIdentifierIsRefused(_ name: String) {
        #expect(StoreSchema(name) == nil)
    }

    @Test(arguments: ["sexton", "_private", "app_2", String(repeating: "s", count: 63)])
    func plainIdentifiersAreSchemaNames(_ name: String) {
        #expect(StoreSchema(name)?.quoted == "\"\(name)\"")
    }
}
