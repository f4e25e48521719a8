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

struct HandlerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
