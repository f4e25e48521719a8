import Foundation
import SextonCore
import SextonPostgres

/// Where operations live (CONTRACT §10).
public enum StoreBackend: String, CaseIterable, Sendable {
    case memory, postgres
}

/// The `store:` section.
public struct StoreConfig: Sendable, Equatable {
    public var backend = StoreBackend.memory
    /// This replica's name in the store; empty means the host name.
    public var replica = ""
    public var postgres = PostgresStoreConfig()

    public init() {}

    /// The name this replica records itself under.
    public var replicaName: String {
        replica.isEmpty ? ProcessInfo.processInfo.hostName : replica
    }

    func validate() -> [ConfigIssue] {
        var check = ConfigChecker(prefix: "store")
        if backend == .postgres && postgres.url.isEmpty {
            check.fail("postgres.url", "", allowed: "a postgres:// URL naming the host and database (store.backend is postgres)")
        }
        check.absorb(postgres.validate())
        return check.issues
    }
}

/// `store.postgres`: the database every replica shares.
public struct PostgresStoreConfig: Sendable, Equatable {
    public var url = ""
    /// Empty: none.
    public var passwordFile = ""
    public var schema = "sexton"
    public var maxConnections = 8
    public var connectTimeout: Duration = .seconds(5)
    /// From `SEXTON_STORE_POSTGRES_PASSWORD`, `password_file` or the URL, in that order; never
    /// shown (the URL's is redacted in the effective configuration).
    public var password: StorePassword?

    public init() {}

    /// The URL's parts, when it is a postgres:// URL with a host.
    public var endpoint: PostgresEndpoint? { PostgresEndpoint(url) }

    func validate() -> [ConfigIssue] {
        var check = ConfigChecker(prefix: "store.postgres")
        if StoreSchema(schema) == nil { check.fail("schema", schema, allowed: StoreSchema.allowed) }
        check.check("max_connections", maxConnections, in: 1...100)
        check.check("connect_timeout", connectTimeout, in: .milliseconds(100) ... .seconds(300))
        return check.issues
    }
}

/// A database password: like the admin token, never in a description or a log.
public struct StorePassword: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let value: String

    public init?(_ value: String) {
        guard !value.isEmpty else { return nil }
        self.value = value
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

/// `postgres://user[:password]@host[:port]/database`.
public struct PostgresEndpoint: Sendable, Equatable {
    public static let allowed = "a URL postgres://user[:password]@host[:port]/database"

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String

    public init?(_ text: String) {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme),
              let host = url.host, !host.isEmpty, let user = url.user, !user.isEmpty
        else { return nil }
        let database = String(url.path.dropFirst())
        guard !database.isEmpty, !database.contains("/"), url.query == nil, url.fragment == nil else { return nil }
        let port = url.port ?? 5432
        guard (1...65535).contains(port) else { return nil }
        self.host = host
        self.port = port
        self.user = user
        self.password = url.password
        self.database = database
    }

    /// The URL with its password replaced, for messages and the effective configuration;
    /// textual, so a URL too broken to parse does not show its password either.
    public static func redacting(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].lastIndex(of: "@"),
              let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
        else { return text }
        return text[..<text.index(after: colon)] + "<redacted>" + text[at...]
    }
}

extension ValueParser where Value == String {
    /// Any text, empty included (`replica: ""` and `password_file: ""` mean "not set").
    static var textOrEmpty: Self { .scalar(allowed: "a string", render: { .string($0) }) { $0 } }

    /// A postgres:// URL, its password redacted when shown; empty means not set.
    static var postgresURL: Self {
        ValueParser(isList: false, allowed: PostgresEndpoint.allowed, parse: { texts in
            let text = texts.first ?? ""
            return text.isEmpty || PostgresEndpoint(text) != nil
                ? .success(text) : .failure(RejectedText(texts: [PostgresEndpoint.redacting(text)]))
        }, render: { .string(PostgresEndpoint.redacting($0)) })
    }
}
