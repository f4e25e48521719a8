import Foundation
import Logging
import PostgresNIO

/// Creates or migrates the shared store's schema at start (CONTRACT §10). Everything runs in
/// one transaction under a transaction-scoped advisory lock on the schema's name, so replicas
/// starting together take turns and the later ones find the work done; no session lock is
/// held, so it works behind PgBouncer's transaction pooling.
public enum SchemaMigrator {
    /// Applies the migrations `schema` lacks; returns the versions applied (empty when it was
    /// up to date).
    @discardableResult
    public static func migrate(
        _ client: PostgresClient, schema: StoreSchema, migrations: [Migration] = SchemaMigrations.all, logger: Logger
    ) async throws -> [Int] {
        try await client.withTransaction(logger: logger) { connection in
            let lockKey = "sexton.migrate.\(schema.name)"
            try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\(lockKey), 0))", logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema.quoted)"), logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: """
                CREATE TABLE IF NOT EXISTS \(schema.quoted).schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """), logger: logger)
            var applied: Set<Int> = []
            for try await version in try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT version FROM \(schema.quoted).schema_migrations"), logger: logger
            ).decode(Int.self) {
                applied.insert(version)
            }
            var done: [Int] = []
            for migration in migrations.sorted(by: { $0.version < $1.version }) where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: schema.substitute(statement)), logger: logger)
                }
                try await connection.query(
                    PostgresQuery(unsafeSQL: "INSERT INTO \(schema.quoted).schema_migrations (version, name) VALUES ($1, $2)",
                                  binds: binds(migration.version, migration.name)),
                    logger: logger)
                logger.info("migrated the store schema", metadata: ["schema": "\(schema.name)", "version": "\(migration.version)", "migration": "\(migration.name)"])
                done.append(migration.version)
            }
            return done
        }
    }

    private static func binds(_ version: Int, _ name: String) -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(version)
        bindings.append(name)
        return bindings
    }
}

/// `store.postgres.schema`: a plain lowercase identifier, so it can be quoted into DDL safely.
public struct StoreSchema: Sendable, Hashable {
    public let name: String

    public static let allowed = "1–63 characters of [a-z0-9_], starting with a letter or _"

    public init?(_ name: String) {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count), let first = bytes.first, first == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
              bytes.allSatisfy({ $0 == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        self.name = name
    }

    public var quoted: String { "\"\(name)\"" }

    func substitute(_ statement: String) -> String { statement.replacingOccurrences(of: "{schema}", with: quoted) }
}
