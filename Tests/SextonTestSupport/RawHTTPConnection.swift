import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A deliberately dumb HTTP/1.1 client over one blocking POSIX socket, so tests control every
/// byte on the wire (slow senders, garbage, chunked bodies, kept-alive connections) and nothing
/// is added behind their back. Reads time out after `timeout` seconds.
public final class RawHTTPConnection {
    private let fd: Int32
    private var buffered: [UInt8] = []

    /// `address` is `host:port`; `0.0.0.0` and `localhost` mean the IPv4 loopback.
    public convenience init(_ address: String, timeout: Int = 20) throws {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            throw ClientError("bad address \(address)")
        }
        try self.init(host: String(address[..<colon]), port: port, timeout: timeout)
    }

    public init(host: String, port: Int, timeout: Int = 20) throws {
        let numeric = host == "0.0.0.0" || host == "localhost" ? "127.0.0.1" : host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(numeric, String(port), &hints, &list) == 0, let info = list else {
            throw ClientError("cannot resolve \(host):\(port)")
        }
        defer { freeaddrinfo(list) }
        fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw ClientError("cannot connect to \(host):\(port): \(reason)")
        }
    }

    /// A connected socket the test made itself (bound to a chosen source address, say); closed with the connection.
    public init(adopting fd: Int32) {
        self.fd = fd
    }

    deinit { Glibc.close(fd) }

    /// Closes both directions, which the server sees as the client going away.
    public func hangUp() {
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Closes the sending direction: the request is all there is.
    public func finishSending() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// Whether a byte (or EOF) arrives within `milliseconds`; for checking that nothing does.
    public func isReadable(within milliseconds: Int32) -> Bool {
        if !buffered.isEmpty { return true }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, milliseconds) > 0
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw ClientError("send failed: \(String(cString: strerror(errno)))") }
            offset += sent
        }
    }

    /// Reads one response: a body of its `Content-Length`, chunked, or up to EOF when it declares
    /// neither; `bodyless` for answers to HEAD.
    public func readResponse(bodyless: Bool = false) throws -> HTTPReply {
        let head = try readHead()
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw ClientError("bad status line in \(head)") }
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var reply = HTTPReply(status: status, headers: headers, body: [])
        if bodyless || status == 204 || status == 304 {
            return reply
        } else if let length = reply.header("Content-Length").flatMap(Int.init) {
            reply.body = try readExactly(length)
        } else if reply.header("Transfer-Encoding")?.lowercased() == "chunked" {
            reply.body = try readChunks()
        } else {
            while try fill() {}
            reply.body = buffered
            buffered.removeAll()
        }
        return reply
    }

    /// True when the server closed the connection (EOF) before sending anything more.
    public func isClosedByPeer() -> Bool {
        (try? fill()) == false
    }

    private func readHead() throws -> String {
        try read(until: "\r\n\r\n", eof: "connection closed before a response head")
    }

    private func readLine() throws -> String {
        try read(until: "\r\n", eof: "connection closed inside a chunked body")
    }

    /// The text up to `separator`, which is consumed too.
    private func read(until separator: String, eof: String) throws -> String {
        let separator = Array(separator.utf8)
        while true {
            if let end = buffered.firstRange(of: separator) {
                let text = String(decoding: buffered[..<end.lowerBound], as: UTF8.self)
                buffered.removeSubrange(..<end.upperBound)
                return text
            }
            guard try fill() else { throw ClientError(eof) }
        }
    }

    private func readChunks() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeLine = try readLine()
            guard let size = Int(sizeLine.prefix { $0 != ";" }, radix: 16) else { throw ClientError("bad chunk size \(sizeLine)") }
            if size == 0 {
                while try !readLine().isEmpty {}
                return body
            }
            body += try readExactly(size)
            _ = try readLine()
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffered.count < count {
            guard try fill() else { throw ClientError("connection closed inside a body") }
        }
        defer { buffered.removeFirst(count) }
        return Array(buffered.prefix(count))
    }

    /// False on EOF.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if received < 0 {
            if errno == ECONNRESET { return false }
            throw ClientError("recv failed: \(String(cString: strerror(errno)))")
        }
        buffered.append(contentsOf: chunk.prefix(received))
        return received > 0
    }
}
