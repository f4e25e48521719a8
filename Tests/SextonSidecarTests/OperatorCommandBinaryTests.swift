import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The operator commands of CONTRACT §8 run as an on-call engineer runs them: the real binary
/// against a real sidecar, in both outputs, with their exit codes.
@Suite struct OperatorCommandBinaryTests {
    static let token = "operator-Token.7"

    /// A sidecar that keeps its zombies (deferred, 10 minutes), with an admin token.
    static func sidecar() throws -> SextonProcess {
        try SextonProcess(
            ["--coordinator-staging-window", "0s", "--cleanup-strategy", "deferred", "--cleanup-retention", "10m"],
            environment: ["SEXTON_ADMIN_TOKEN": token])
    }

    /// An operation admitted, started and failed: a zombie.
    static func zombie(_ sexton: SextonProcess, _ id: String, target: String, targetType: String = "default") throws {
        let submitted = try sexton.submit(target, ["id": id, "target_type": targetType])
        #expect(submitted.status == 200, "\(submitted.text)")
        #expect(try sexton.call("POST", "/v1/operations/\(id)/start").status == 200)
        #expect(try sexton.call("POST", "/v1/operations/\(id)/complete", ["outcome": "failed", "error": "boom"]).status == 200)
    }

    /// `sexton ARGS --url …` against `sexton`, with the token in the environment unless told.
    static func run(
        _ sexton: SextonProcess, _ arguments: [String], token: String? = OperatorCommandBinaryTests.token, input: FileHandle = .nullDevice
    ) throws -> (code: Int32, output: String) {
        try SextonProcess.run(
            arguments + ["--url", "http://\(sexton.api)", "--telemetry-url", "http://\(sexton.telemetry)"],
            environment: token.map { ["SEXTON_ADMIN_TOKEN": $0] } ?? [:], input: input)
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    static func zombieIDs(_ sexton: SextonProcess, _ query: String = "") throws -> [String] {
        ((try sexton.get("/v1/zombies\(query)").json["zombies"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
    }

    @Test func zombiesListOldestFirstInAlignedColumnsAndAsTheAPIsJSON() throws {
        let sexton = try Self.sidecar()
        try Self.zombie(sexton, "z-old", target: "orders/1", targetType: "order")
        try Self.zombie(sexton, "z-mid", target: "users 2", targetType: "user")
        try Self.zombie(sexton, "z-new", target: "orders/1", targetType: "order")

        let table = try Self.run(sexton, ["zombies"])
        #expect(table.code == 0, "\(table.output)")
        let lines = table.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("ID") == true && lines.first?.contains("TARGET TYPE") == true, "\(table.output)")
        #expect(lines.dropFirst().prefix(3).map { String($0.prefix { $0 != " " }) } == ["z-old", "z-mid", "z-new"], "\(table.output)")
        // Aligned: each row's target starts where the header's TARGET does.
        let column = lines[0].range(of: "TARGET")!.lowerBound.utf16Offset(in: lines[0])
        for (line, target) in zip(lines[1...3], ["orders/1", "users 2", "orders/1"]) {
            #expect(line.range(of: target)?.lowerBound.utf16Offset(in: line) == column, "\(table.output)")
        }
        #expect(lines.last?.range(of: #"^3 zombies, oldest \d+(ms|s)$"#, options: .regularExpression) != nil, "\(table.output)")

        let json = try Self.run(sexton, ["zombies", "--output", "json"])
        #expect(json.code == 0)
        let listed = (Self.json(json.output)["zombies"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        #expect(listed == (try Self.zombieIDs(sexton)), "\(json.output)")
    }

    @Test func zombiesFiltersAreTheAPIs() throws {
        let sexton = try Self.sidecar()
        try Self.zombie(sexton, "a1", target: "alpha", targetType: "order")
        try Self.zombie(sexton, "b1", target: "beta", targetType: "user")
        try Self.zombie(sexton, "a2", target: "alpha", targetType: "user")

        func ids(_ arguments: [String]) throws -> [String] {
            let run = try Self.run(sexton, ["zombies", "--output", "json"] + arguments)
            #expect(run.code == 0, "\(run.output)")
            return (Self.json(run.output)["zombies"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
        }
        #expect(try ids(["--target", "alpha"]) == ["a1", "a2"])
        #expect(try ids(["--target-type", "user"]) == ["b1", "a2"])
        #expect(try ids(["--target", "alpha", "--target-type", "user"]) == ["a2"])
        #expect(try ids(["--limit", "1"]) == ["a1"])
        let one = try Self.run(sexton, ["zombies", "--target", "beta"])
        #expect(one.output.split(separator: "\n").last?.hasPrefix("1 zombie, oldest") == true, "\(one.output)")
        let none = try Self.run(sexton, ["zombies", "--target", "gamma"])
        #expect(none.code == 0 && none.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0 zombies", "\(none.output)")
        let bad = try Self.run(sexton, ["zombies", "--limit", "0"])
        #expect(bad.code == 1 && bad.output.contains("invalid_argument") && bad.output.contains("limit"), "\(bad.output)")
    }

    @Test func operationAndTargetShowWhatTheAPIKnows() throws {
        let sexton = try Self.sidecar()
        try Self.zombie(sexton, "op-1", target: "shelf/7 b")
        #expect(try sexton.submit("shelf/7 b", ["id": "op-2", "priority": "high"]).status == 200)

        let operation = try Self.run(sexton, ["operation", "op-1"])
        #expect(operation.code == 0, "\(operation.output)")
        let fields = Dictionary(operation.output.split(separator: "\n").map { line -> (String, String) in
            let key = line.prefix { $0 != " " }
            return (String(key), line.dropFirst(key.count).trimmingCharacters(in: .whitespaces))
        }) { first, _ in first }
        #expect(fields["status"] == "failed" && fields["error"] == "boom" && fields["zombie"] == "yes", "\(operation.output)")
        #expect(fields["target"] == "shelf/7 b" && fields["ecs_id"]?.contains("v") == true, "\(operation.output)")
        #expect(fields["ended_at"]?.hasSuffix("ago)") == true, "\(operation.output)")
        let operationJSON = try Self.run(sexton, ["operation", "op-1", "--output", "json"])
        #expect(Self.json(operationJSON.output)["id"] as? String == "op-1")
        #expect(Self.json(operationJSON.output)["status"] as? String == "failed")

        let target = try Self.run(sexton, ["target", "shelf/7 b"])
        #expect(target.code == 0, "\(target.output)")
        #expect(target.output.contains("target:  shelf/7 b") && target.output.contains("version: 0"), "\(target.output)")
        #expect(target.output.contains("active:  op-2 (admitted, priority 8"), "\(target.output)")
        #expect(target.output.contains("op-1") && target.output.range(of: #"\n1 zombie, oldest \d+(ms|s)$"#, options: .regularExpression) != nil, "\(target.output)")
        let targetJSON = Self.json(try Self.run(sexton, ["target", "shelf/7 b", "--output", "json"]).output)
        #expect(targetJSON["target"] as? String == "shelf/7 b" && (targetJSON["active"] as? [String: Any])?["id"] as? String == "op-2")

        let unknown = try Self.run(sexton, ["operation", "no-such-op"])
        #expect(unknown.code == 1 && unknown.output.contains("no operation no-such-op") && unknown.output.contains("not_found"), "\(unknown.output)")
        let badTarget = try Self.run(sexton, ["target", String(repeating: "t", count: 257)])
        #expect(badTarget.code == 1 && badTarget.output.contains("invalid_argument"), "\(badTarget.output)")
    }

    @Test func statusPutsTheChecksFirstThenTheWorkerThenDryRun() throws {
        let sexton = try Self.sidecar()
        try Self.zombie(sexton, "s1", target: "s")
        let status = try Self.run(sexton, ["status"])
        #expect(status.code == 0, "\(status.output)")
        let text = status.output
        let order = ["health: healthy", "CHECK", "zombie_count", "cleanup_worker", "cleanup worker: running", "last pass:", "next pass:  in ", "backlog:    0 of 1 zombies", "dry run:    off"]
        let positions = order.map { text.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil }, "\(text)")
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "\(text)")

        let json = Self.json(try Self.run(sexton, ["status", "--output", "json"]).output)
        #expect((json["health"] as? [String: Any])?["status"] as? String == "healthy")
        #expect((json["cleanup"] as? [String: Any])?["zombies"] as? Int == 1)

        // Without the admin API the health still shows; the refusal is the exit code.
        let refused = try Self.run(sexton, ["status"], token: nil)
        #expect(refused.code == 1 && refused.output.contains("health: healthy") && refused.output.contains("unauthenticated"), "\(refused.output)")
    }

    @Test func aMissingOrWrongTokenExits1WithTheServersCode() throws {
        let sexton = try Self.sidecar()
        let missing = try Self.run(sexton, ["cleanup"], token: nil)
        #expect(missing.code == 1 && missing.output.contains("missing bearer token") && missing.output.contains("401 unauthenticated"), "\(missing.output)")
        let wrong = try Self.run(sexton, ["cleanup", "--dry-run"], token: "nope")
        #expect(wrong.code == 1 && wrong.output.contains("invalid bearer token"), "\(wrong.output)")
        let file = try temporaryFile("\(Self.token)\n", suffix: ".token")
        let fromFile = try Self.run(sexton, ["cleanup", "--token-file", file], token: "nope")
        #expect(fromFile.code == 0 && fromFile.output.hasPrefix("cleaned 0 of 0 zombies"), "\(fromFile.output)")
    }

    @Test func aDryRunSaysWhatWouldGoByStrategyAndRemovesNothing() throws {
        let sexton = try Self.sidecar()
        try Self.zombie(sexton, "d1", target: "d")
        try Self.zombie(sexton, "d2", target: "e")
        let due = try Self.run(sexton, ["cleanup", "--dry-run"])
        #expect(due.code == 0 && due.output.hasPrefix("dry run: 0 zombies would be removed; nothing was removed"), "\(due.output)")
        let all = try Self.run(sexton, ["cleanup", "--dry-run", "--all"])
        #expect(all.code == 0 && all.output.hasPrefix("dry run: 2 zombies would be removed (manual 2); nothing was removed"), "\(all.output)")
        let json = Self.json(try Self.run(sexton, ["cleanup", "--dry-run", "--all", "--output", "json"]).output)
        #expect(json["dry_run"] as? Bool == true && json["candidates"] as? Int == 2 && json["cleaned"] as? Int == 0)
        #expect(try Self.zombieIDs(sexton) == ["d1", "d2"])
    }

    @Test func aPurgeAsksOnATerminalAndNeedsYesWithout() throws {
        let sexton = try Self.sidecar()
        try Self.zombie(sexton, "p1", target: "p")
        try Self.zombie(sexton, "p2", target: "q")

        let noTerminal = try Self.run(sexton, ["cleanup", "--all"])
        #expect(noTerminal.code == 2 && noTerminal.output.contains("--yes"), "\(noTerminal.output)")
        #expect(try Self.zombieIDs(sexton).count == 2)

        let no = try PseudoTerminal(typing: "n\n")
        let declined = try withExtendedLifetime(no) { try Self.run(sexton, ["cleanup", "--all"], input: no.input) }
        #expect(declined.code == 1 && declined.output.contains("Remove all 2 zombies") && declined.output.contains("nothing was removed"), "\(declined.output)")
        #expect(try Self.zombieIDs(sexton).count == 2)

        let yes = try PseudoTerminal(typing: "y\n")
        let confirmed = try withExtendedLifetime(yes) { try Self.run(sexton, ["cleanup", "--all"], input: yes.input) }
        #expect(confirmed.code == 0 && confirmed.output.contains("cleaned 2 of 2 zombies (manual 2), 0 failed"), "\(confirmed.output)")
        #expect(try Self.zombieIDs(sexton).isEmpty)

        try Self.zombie(sexton, "p3", target: "r")
        let unasked = try Self.run(sexton, ["cleanup", "--all", "--yes"])
        #expect(unasked.code == 0 && unasked.output.contains("cleaned 1 of 1 zombies"), "\(unasked.output)")
        #expect(try Self.zombieIDs(sexton).isEmpty)
    }

    @Test func nothingListeningExits3NamingTheURL() throws {
        let port = 1  // tcpmux: nothing listens on it
        for command in [["zombies"], ["status"], ["operation", "x"], ["target", "t"], ["cleanup", "--yes", "--all"]] {
            let run = try SextonProcess.run(command + ["--url", "http://127.0.0.1:\(port)", "--telemetry-url", "http://127.0.0.1:\(port)"])
            #expect(run.code == 3, "\(command): \(run.output)")
            #expect(run.output.contains("cannot reach the sidecar at http://127.0.0.1:\(port)/"), "\(command): \(run.output)")
        }
        let fromEnvironment = try SextonProcess.run(["zombies"], environment: ["SEXTON_URL": "http://127.0.0.1:\(port)"])
        #expect(fromEnvironment.code == 3 && fromEnvironment.output.contains("127.0.0.1:\(port)/v1/zombies"), "\(fromEnvironment.output)")
    }

    @Test func badUsageExits2() throws {
        let cases: [[String]] = [
            ["zombies", "--bogus"], ["zombies", "--output", "xml"], ["zombies", "--limit", "many"], ["operation"],
            ["target"], ["zombies", "--url", "ftp://example"], ["cleanup", "--token-file", "/nonexistent/token"], ["no-such-command"],
        ]
        for arguments in cases {
            let run = try SextonProcess.run(arguments)
            #expect(run.code == 2, "\(arguments): \(run.output)")
            #expect(run.output.lowercased().contains("error"), "\(arguments): \(run.output)")
        }
    }
}

/// A pseudo-terminal with `text` already typed: its slave side is a command's standard input.
final class PseudoTerminal {
    let input: FileHandle
    private let master: Int32

    init(typing text: String) throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        guard openpty(&master, &slave, nil, nil, nil) == 0 else { throw ClientError("openpty failed") }
        self.master = master
        input = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
        let bytes = Array(text.utf8)
        guard write(master, bytes, bytes.count) == bytes.count else { throw ClientError("cannot type into the terminal") }
    }

    deinit { close(master) }
}
