import Foundation
import SextonHTTP

/// A deliberately dumb HTTP/1.1 client over a blocking POSIX socket, so tests control every
/// byte on the wire (slow senders, garbage, chunked bodies). Reads time out after 5 s.
final class TestConnection {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let fd: Int32
    private var buffered: [UInt8] = []

    init(_ address: BoundAddress) throws {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(address.host, String(address.port), &hints, &list) == 0, let info = list else {
            throw Failure(description: "cannot resolve \(address)")
        }
        defer { freeaddrinfo(list) }
        fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw Failure(description: "cannot connect to \(address): \(reason)")
        }
    }

    deinit { Glibc.close(fd) }

    /// Half-closes our side, which MHD sees as the client going away.
    func shutdownWrite() {
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Whether a byte (or EOF) arrives within `milliseconds`; for checking that nothing does.
    func isReadable(within milliseconds: Int32) -> Bool {
        if !buffered.isEmpty { return true }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, milliseconds) > 0
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send failed: \(String(cString: strerror(errno)))") }
            offset += sent
        }
    }

    /// Reads one response; `bodyless` for answers to HEAD.
    func readResponse(bodyless: Bool = false) throws -> TestResponse {
        let head = try readHead()
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw Failure(description: "bad status line in \(head)")
        }
        var headers = HTTPHeaders()
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = bodyless ? 0 : Int(headers["Content-Length"] ?? "0") ?? 0
        return TestResponse(status: status, headers: headers, body: try readExactly(length))
    }

    /// True when the server closed the connection (EOF) before sending anything more.
    func isClosedByPeer() -> Bool {
        (try? fill()) == false
    }

    private func readHead() throws -> String {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let end = buffered.firstRange(of: separator) {
                let head = String(decoding: buffered[..<end.lowerBound], as: UTF8.self)
                buffered.removeSubrange(..<end.upperBound)
                return head
            }
            guard try fill() else { throw Failure(description: "connection closed before a response head") }
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffered.count < count {
            guard try fill() else { throw Failure(description: "connection closed inside a body") }
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
            throw Failure(description: "recv failed: \(String(cString: strerror(errno)))")
        }
        buffered.append(contentsOf: chunk.prefix(received))
        return received > 0
    }
}

struct TestResponse {
    let status: Int
    let headers: HTTPHeaders
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
}

extension TestConnection {
    /// Builds a request with `Host` and, when there is a body, `Content-Length`.
    static func requestText(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: String? = nil
    ) -> String {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: test\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Length: \(body.utf8.count)\r\n" }
        return text + "\r\n" + (body ?? "")
    }

    /// One request on a fresh connection.
    static func exchange(
        _ address: BoundAddress, _ method: String, _ target: String,
        headers: [(String, String)] = [], body: String? = nil
    ) throws -> TestResponse {
        let connection = try TestConnection(address)
        try connection.send(requestText(method, target, headers: headers + [("Connection", "close")], body: body))
        return try connection.readResponse(bodyless: method == "HEAD")
    }
}
