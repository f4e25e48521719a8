import Foundation
// Every binary test uses the shared client and exposition reader.
@_exported import SextonTestSupport

/// Shortcuts the binary tests share: JSON requests by method, scrapes, and polling with a deadline.
extension SextonProcess {
    /// `method path` on the API listener; a JSON body when `json` is given, else no body.
    func call(_ method: String, _ path: String, _ json: Any? = nil, headers: [String: String] = [:]) throws -> HTTPReply {
        let headers = headers.map { ($0.key, $0.value) }
        if let json { return try HTTPClient.json(method, api, path, json, headers: headers) }
        return try HTTPClient.request(method, api, path, headers: headers)
    }

    /// Submits one operation; `fields` are merged over a target.
    func submit(_ target: String, _ fields: [String: Any] = [:]) throws -> HTTPReply {
        try call("POST", "/v1/operations", fields.merging(["target": target]) { own, _ in own })
    }

    func metrics() throws -> MetricSamples {
        let reply = try get("/metrics", on: .telemetry)
        guard reply.status == 200 else { throw ClientError("/metrics answered \(reply.status)") }
        return MetricSamples(reply.text)
    }

    /// The process's stdout and stderr with a deadline for a line containing `text`.
    func waitForLog(_ text: String, timeout: TimeInterval = 10) throws {
        try poll("log line \"\(text)\"", timeout: timeout) { log.contains(text) }
    }
}

/// Re-checks `condition` until it holds, failing after `timeout` seconds instead of sleeping a
/// fixed time that is either too short on a loaded machine or wasted on an idle one.
func poll(_ what: String, timeout: TimeInterval = 10, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try condition() { return }
        guard Date() < deadline else { throw ClientError("timed out after \(timeout)s waiting for \(what)") }
        Thread.sleep(forTimeInterval: 0.01)
    }
}

/// Runs `body` on its own thread, so a test can hold a request open (a submission waiting for
/// its batch) while it does something else; `wait()` returns its result.
final class Background<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, any Error>?

    init(_ body: @escaping @Sendable () throws -> T) {
        let thread = Thread { [self] in
            result = Result { try body() }
            done.signal()
        }
        thread.start()
    }

    func wait(timeout: TimeInterval = 20) throws -> T {
        guard done.wait(timeout: .now() + timeout) == .success else { throw ClientError("background request did not finish in \(timeout)s") }
        return try result!.get()
    }
}

/// `/usr/bin/promtool check metrics` over `text`: its exit code and everything it printed.
func promtoolCheckMetrics(_ text: String) throws -> (code: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
    process.arguments = ["check", "metrics"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = output
    try process.run()
    input.fileHandleForWriting.write(Data(text.utf8))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A file in the temporary directory holding `text`, for configuration files and fixtures.
func temporaryFile(_ text: String, suffix: String = ".yaml") throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("sexton-test-\(UUID().uuidString)\(suffix)").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// A meminfo fixture with a low pressure, so the memory check does not follow this machine's load.
func calmMemoryFlags() throws -> [String] {
    let path = try temporaryFile("MemTotal: 1000000 kB\nMemAvailable: 900000 kB\n", suffix: ".meminfo")
    return ["--memory-source", "meminfo", "--memory-meminfo", path]
}
