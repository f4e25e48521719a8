import Foundation
import Synchronization

/// The real `sexton` binary, started for a test on free ports and stopped at the end.
final class SextonProcess: @unchecked Sendable {
    let process = Process()
    private var sink: OutputSink?
    private(set) var api = ""
    private(set) var telemetry = ""

    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["SEXTON_BINARY"] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/sexton").path
    }

    /// Runs `sexton` with `arguments` to completion: exit code and everything it printed.
    /// Standard input is `input`, else nothing (never the runner's terminal).
    static func run(_ arguments: [String], environment: [String: String] = [:], input: FileHandle = .nullDevice) throws -> (code: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = input
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Starts `sexton serve` on port 0 for both listeners and waits for its `listening` line.
    init(
        _ arguments: [String] = [], environment: [String: String] = [:], config: String? = nil
    ) throws {
        var arguments = ["serve", "--listen-api", "127.0.0.1:0", "--listen-telemetry", "127.0.0.1:0"] + arguments
        if let config {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("sexton-\(UUID().uuidString).yaml").path
            try config.write(toFile: path, atomically: true, encoding: .utf8)
            arguments += ["--config", path]
        }
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let sink = OutputSink()
        self.sink = sink
        pipe.fileHandleForReading.readabilityHandler = { handle in sink.append(handle.availableData) }
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let line = log.split(separator: "\n").first(where: { $0.contains("listening api=") }) {
                api = Self.field("api", in: line)
                telemetry = Self.field("telemetry", in: line)
                return
            }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.terminate()
        throw ClientError("sexton did not start: \(log)")
    }

    var log: String { sink?.text ?? "" }

    private static func field(_ name: String, in line: Substring) -> String {
        let token = line.split(separator: " ").first { $0.hasPrefix("\(name)=") }!
        return String(token.dropFirst(name.count + 1))
    }

    /// Sends `signal` and waits for the exit code.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    func get(_ path: String, on listener: Listener = .api, headers: [String: String] = [:]) throws -> HTTPReply {
        try HTTPClient.request("GET", address(listener), path, headers: headers.map { ($0.key, $0.value) })
    }

    func post(_ path: String, _ object: Any, headers: [String: String] = [:]) throws -> HTTPReply {
        try HTTPClient.json("POST", api, path, object, headers: headers.map { ($0.key, $0.value) })
    }

    enum Listener { case api, telemetry }

    func address(_ listener: Listener) -> String { listener == .api ? api : telemetry }
}

/// Everything the process printed, collected from the pipe's reader thread.
final class OutputSink: Sendable {
    private let bytes = Mutex<[UInt8]>([])

    func append(_ data: Data) { bytes.withLock { $0.append(contentsOf: data) } }

    var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
}
