import ArgumentParser
import Foundation
import SextonCore
import SextonSidecar

/// What every operator command takes (CONTRACT §8).
struct OperatorOptions: ParsableArguments {
    enum Output: String, ExpressibleByArgument, CaseIterable { case table, json }

    @Option(help: "The sidecar's API listener (default: SEXTON_URL, else http://127.0.0.1:7477).") var url: String?
    @Option(help: "The sidecar's telemetry listener, read by status.") var telemetryURL = "http://127.0.0.1:9477"
    @Option(help: "A file holding the admin token (default: SEXTON_ADMIN_TOKEN).") var tokenFile: String?
    @Option(help: "table (aligned columns) or json (the API's answer as is).") var output: Output = .table

    /// Runs `body` with a client, printing what it returns; a failure prints its message and
    /// ends with the command's exit code (1 answered error, 2 usage, 3 unreachable).
    func run(_ body: (SidecarClient) async throws(OperatorError) -> String) async throws {
        do {
            let environment = ProcessInfo.processInfo.environment
            let token: String?
            if let tokenFile {
                guard let data = FileManager.default.contents(atPath: tokenFile) else { throw OperatorError.usage("cannot read the token file \(tokenFile)") }
                token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            } else {
                token = environment["SEXTON_ADMIN_TOKEN"]
            }
            let client = try SidecarClient(
                apiURL: url ?? environment["SEXTON_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://127.0.0.1:7477",
                telemetryURL: telemetryURL, token: token)
            print(try await body(client))
        } catch let error as OperatorError {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(error.exitCode)
        }
    }

    func render(_ answer: SidecarAnswer, table: (JSONValue) -> String) -> String {
        output == .json ? String(decoding: answer.body, as: UTF8.self) : table(answer.json)
    }

    /// `GET path` on the API, shown as `report` lays it out.
    func show(_ path: String, _ report: @escaping (JSONValue, WallTime) -> String) async throws {
        try await run { client throws(OperatorError) in
            render(try await client.call(.GET, path)) { report($0, wallNow) }
        }
    }
}

var wallNow: WallTime { SystemClock().wallNow() }

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a running sidecar's health checks, cleanup worker, backlog and dry-run mode.")
    @OptionGroup var options: OperatorOptions

    func run() async throws {
        try await options.run { client throws(OperatorError) in
            let health = try await client.call(.GET, "/health", on: .telemetry)
            var cleanup: SidecarAnswer?
            var refusal: OperatorError?
            do throws(OperatorError) {
                cleanup = try await client.call(.GET, "/admin/cleanup/status", admin: true)
            } catch {
                guard case .answered = error else { throw error }
                refusal = error
            }
            let text = options.output == .json
                ? String(decoding: JSONValue.object([("health", health.json), ("cleanup", cleanup?.json ?? .null)]).serialized, as: UTF8.self)
                : OperatorReports.status(health: health.json, cleanup: cleanup?.json, now: wallNow)
            // The health still prints when the admin API refused; the refusal is the exit code.
            if let refusal {
                print(text)
                throw refusal
            }
            return text
        }
    }
}

struct ZombiesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zombies", abstract: "List a running sidecar's zombies, oldest first.")
    @OptionGroup var options: OperatorOptions
    @Option(help: "Only this target's zombies.") var target: String?
    @Option(help: "Only zombies of this target type.") var targetType: String?
    @Option(help: "At most this many (1–1000; the API's default is 100).") var limit: Int?

    func run() async throws {
        let query = [("target", target), ("target_type", targetType), ("limit", limit.map(String.init))]
            .compactMap { name, value in value.map { "\(name)=\(SidecarClient.encode($0))" } }
        try await options.show("/v1/zombies" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")), OperatorReports.zombies)
    }
}

struct OperationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operation", abstract: "Show one operation: status, reason, timestamps, ecs_id, lineage.")
    @OptionGroup var options: OperatorOptions
    @Argument(help: "The operation's id.") var id: String

    func run() async throws {
        try await options.show("/v1/operations/\(SidecarClient.encode(id))", OperatorReports.operation)
    }
}

struct TargetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "target", abstract: "Show one target: version, active operation, staged count, zombies.")
    @OptionGroup var options: OperatorOptions
    @Argument(help: "The target's name.") var name: String

    func run() async throws {
        try await options.show("/v1/targets/\(SidecarClient.encode(name))", OperatorReports.target)
    }
}

struct CleanupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "Run one cleanup pass now.",
        discussion: "--all removes every zombie whatever its strategy or handler, and asks first; without a terminal it needs --yes.")
    @OptionGroup var options: OperatorOptions
    @Flag(help: "Report what the pass would remove, by strategy, and remove nothing.") var dryRun = false
    @Flag(help: "Purge every zombie, whatever its strategy and the state of its handler.") var all = false
    @Flag(help: "Purge without asking.") var yes = false

    func run() async throws {
        try await options.run { client throws(OperatorError) in
            if all && !dryRun && !yes { try await confirmPurge(client) }
            let path = "/admin/cleanup?dry_run=\(dryRun)&all=\(all)"
            return options.render(try await client.call(.POST, path, admin: true), table: OperatorReports.cleanup)
        }
    }

    private func confirmPurge(_ client: SidecarClient) async throws(OperatorError) {
        guard isatty(STDIN_FILENO) == 1 else {
            throw .usage("cleanup --all removes every zombie; with no terminal to ask, confirm with --yes")
        }
        let zombies = try await client.call(.GET, "/admin/cleanup/status", admin: true).json["zombies"]
        FileHandle.standardError.write(Data("Remove all \(zombies.map { String(decoding: $0.serialized, as: UTF8.self) } ?? "the") zombies, whatever their strategy and handler? [y/N] ".utf8))
        guard let answer = readLine()?.lowercased(), ["y", "yes"].contains(answer) else {
            throw .declined
        }
    }
}
