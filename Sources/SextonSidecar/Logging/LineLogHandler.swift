#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging

/// One line per event on standard output, the message followed by its metadata as `key=value`:
/// `2026-11-25T03:31:13.880Z info listening api=127.0.0.1:41234 telemetry=0.0.0.0:39812`.
/// Kubernetes collects stdout, and tests find the bound addresses in it.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = "\(Self.timestamp()) \(event.level) \(event.message)"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            let text = "\(value)"
            let needsQuotes = text.isEmpty || text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" })
            line += " \(key)=\(needsQuotes ? "\"\(text.replacingOccurrences(of: "\"", with: "\\\""))\"" : text)"
        }
        line += "\n"
        Self.write(line)
    }

    /// One write(2) per line: unbuffered, so nothing is lost on exit, and lines from several
    /// threads do not interleave.
    private static func write(_ line: String) {
        var line = line
        line.withUTF8 { bytes in _ = Glibc.write(STDOUT_FILENO, bytes.baseAddress, bytes.count) }
    }

    private static func timestamp() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var tm = tm()
        var seconds = spec.tv_sec
        gmtime_r(&seconds, &tm)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
            tm.tm_hour, tm.tm_min, tm.tm_sec, spec.tv_nsec / 1_000_000)
    }
}
