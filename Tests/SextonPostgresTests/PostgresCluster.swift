import Foundation
import Logging
import PostgresNIO
import SextonPostgres

/// A throwaway PostgreSQL cluster for one test: Debian's server binaries, `initdb` into a
/// temporary directory (as the `postgres` user when the tests run as root, which `initdb`
/// refuses), a free loopback port, stopped and deleted at the end. Nothing outside the test.
/// `with` runs the blocking starts and stops on Dispatch's threads, not on the cooperative
/// pool the other tests' tasks need.
final class PostgresCluster: @unchecked Sendable {
    let directory: URL
    let port: Int
    static let user = "sexton"

    /// A running cluster for `body`, stopped afterwards whatever happens.
    static func with<T: Sendable>(_ body: @Sendable (PostgresCluster) async throws -> T) async throws -> T {
        let cluster = try await offPool { try PostgresCluster() }
        do {
            let result = try await body(cluster)
            try await offPool { try cluster.stop() }
            return result
        } catch {
            try? await offPool { try cluster.stop() }
            throw error
        }
    }

    private static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }

    private init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sexton-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        if getuid() == 0 { try Self.run("/bin/chown", ["postgres:postgres", directory.path]) }
        try Self.run(Self.tool("initdb"), ["-D", data, "-U", Self.user, "-A", "trust", "--no-sync", "-E", "UTF8"], asPostgres: true)
        try Self.run(Self.tool("pg_ctl"), [
            "-D", data, "-l", directory.appendingPathComponent("server.log").path, "-w", "-t", "60",
            "-o", "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off",
            "start",
        ], asPostgres: true)
    }

    private var data: String { directory.appendingPathComponent("data").path }

    /// Stops the server (fast: in-flight sessions are cut, as a crashed database would cut them).
    func stop() throws {
        try Self.run(Self.tool("pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"], asPostgres: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    var url: String { "postgres://\(Self.user)@127.0.0.1:\(port)/postgres" }

    /// A client of the cluster with its pool run by a task for `body`'s duration.
    func withClient<T: Sendable>(maxConnections: Int = 4, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        var configuration = PostgresClient.Configuration(
            host: "127.0.0.1", port: port, username: Self.user, password: nil, database: "postgres", tls: .disable)
        configuration.options.maximumConnections = maxConnections
        let client = PostgresClient(configuration: configuration, backgroundLogger: Logger(label: "pg-test"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    static func tool(_ name: String) throws -> String {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let path = "/usr/lib/postgresql/\(version)/bin/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw ClusterError("no \(name) under /usr/lib/postgresql/*/bin: install Debian's postgresql (make deps does)")
    }

    /// posix_spawn and waitpid rather than Foundation's Process, whose wait does not return
    /// here once `pg_ctl start` has left a server running; output goes to a file, which the
    /// server may keep open.
    private static func run(_ tool: String, _ arguments: [String], asPostgres: Bool = false) throws {
        let argv = (asPostgres && getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", tool] : [tool]) + arguments
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("sexton-pg-ctl-\(UUID().uuidString).log").path
        defer { unlink(log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw ClusterError("cannot run \(argv[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        guard exited == 0 else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw ClusterError("\(argv.joined(separator: " ")) exited \(exited): \(text)")
        }
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ClusterError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct ClusterError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension PostgresCluster {
    /// A throwaway cluster with the `sexton` schema migrated, and staging on it under `settings`.
    static func withStaging(
        _ settings: ResolutionSettings, logger: Logger, _ body: @Sendable (PostgresClient, SharedStaging) async throws -> Void
    ) async throws {
        try await with { cluster in try await cluster.withClient { client in
            let schema = StoreSchema("sexton")!
            try await SchemaMigrator.migrate(client, schema: schema, logger: logger)
            try await body(client, SharedStaging(schema: schema, settings: settings))
        } }
    }
}
