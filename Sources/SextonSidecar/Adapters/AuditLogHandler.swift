#if canImport(Glibc)
import Glibc
#endif
import NIOPosix
import SextonCore
import Synchronization

/// `audit_log`: appends one JSON line per zombie and fsyncs it before the zombie may be removed,
/// so the record survives a crash right after the removal. The write and the fsync run on NIO's
/// blocking-I/O thread pool, never on a thread Swift concurrency needs.
final class AuditLogHandler: CleanupHandler {
    let path: String
    let retention: Duration
    /// The open file; -1 until the first write (and again after a failure, to retry the open).
    private let fd = Mutex<Int32>(-1)

    init(path: String, retention: Duration) {
        self.path = path
        self.retention = retention
    }

    /// Every line was already fsync'd; this only releases the descriptor.
    deinit {
        fd.withLock { if $0 >= 0 { Glibc.close($0) } }
    }

    func handle(_ record: CleanupRecord) async throws {
        var line = ZombieRecordJSON.make(record).serialized
        line.append(UInt8(ascii: "\n"))
        try await NIOThreadPool.singleton.runIfActive { [line] in try self.append(line) }
    }

    private func append(_ line: [UInt8]) throws {
        try fd.withLock { fd in
            if fd < 0 {
                fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
                guard fd >= 0 else { throw HandlerError("cannot open audit log \(path): \(String(cString: strerror(errno)))") }
            }
            let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == line.count, fsync(fd) == 0 else {
                let reason = String(cString: strerror(errno))
                Glibc.close(fd)
                fd = -1
                throw HandlerError("cannot append to audit log \(path): \(reason)")
            }
        }
    }
}

extension AuditLogHandler {
    /// Why `path` cannot take audit lines, or nil: `serve` checks at start (CONTRACT §3.3), so a
    /// log that cannot be written fails the start rather than the first zombie. It must open for
    /// appending and be a regular file (fsync makes a line durable only there).
    static func problem(opening path: String) -> String? {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { return "cannot open \(path) for appending: \(String(cString: strerror(errno)))" }
        defer { Glibc.close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return "\(path) is not a regular file" }
        return nil
    }
}

extension SextonConfiguration {
    /// What the configured handlers cannot reach now, one line per handler.
    public var handlerOutputProblems: [String] {
        handlers.sorted { $0.key < $1.key }.compactMap { name, handler in
            guard case .auditLog(let path) = handler.kind, let problem = AuditLogHandler.problem(opening: path) else { return nil }
            return "handlers.\(name) (audit_log): \(problem)"
        }
    }
}

struct HandlerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
