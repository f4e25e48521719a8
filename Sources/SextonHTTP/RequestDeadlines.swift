#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// CONTRACT §5: a connection that has not sent a whole request within `connection_timeout` of
/// opening (or of its last answer, on a kept-alive connection) is closed, however slowly it
/// trickles bytes. MHD's own timeout counts idle time only, so each connection's deadline is
/// kept here and a sweep shuts the socket of any that passed it; MHD then closes it as it would
/// a peer that went away.
final class RequestDeadlines: Sendable {
    private struct Entry {
        var fd: Int32
        /// Nanoseconds on the continuous clock; .max while a request is being handled.
        var deadline: Int64
    }

    private let timeout: Int64
    private let entries = Mutex<[UInt: Entry]>([:])

    init(timeout: Duration) { self.timeout = timeout.nanoseconds }

    /// CLOCK_BOOTTIME, the clock `Task.sleep` counts on.
    private static var now: Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_BOOTTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    private static func key(_ connection: OpaquePointer) -> UInt { UInt(bitPattern: Int(bitPattern: connection)) }

    func opened(_ connection: OpaquePointer, fd: Int32) {
        let deadline = Self.now &+ timeout
        entries.withLock { $0[Self.key(connection)] = Entry(fd: fd, deadline: deadline) }
    }

    func closed(_ connection: OpaquePointer) {
        entries.withLock { _ = $0.removeValue(forKey: Self.key(connection)) }
    }

    /// The whole request arrived: no deadline while it is handled and answered.
    func received(_ connection: OpaquePointer) { set(connection, deadline: .max) }

    /// Answered: a kept-alive connection has `timeout` for its next request.
    func answered(_ connection: OpaquePointer) { set(connection, deadline: Self.now &+ timeout) }

    private func set(_ connection: OpaquePointer, deadline: Int64) {
        entries.withLock { entries in
            let key = Self.key(connection)
            if entries[key] != nil { entries[key]!.deadline = deadline }
        }
    }

    /// Shuts the sockets whose deadline has passed; returns how many.
    @discardableResult
    func sweep() -> Int {
        let now = Self.now
        let late = entries.withLock { entries -> [Int32] in
            var late: [Int32] = []
            for (key, entry) in entries where entry.deadline <= now {
                late.append(entry.fd)
                entries[key]!.deadline = .max
            }
            return late
        }
        for fd in late { shutdown(fd, Int32(SHUT_RDWR)) }
        return late.count
    }
}

extension Duration {
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
    }
}
