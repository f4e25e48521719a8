import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A response as the tests see it.
struct HTTPReply {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? { headers[name.lowercased()] }

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }
}

/// A deliberately small HTTP/1.1 client over a POSIX socket, so tests control every byte:
/// no content type is added behind their back, and raw garbage can be sent.
enum HTTPClient {
    static func request(
        _ method: String, _ address: String, _ path: String, body: [UInt8]? = nil,
        headers: [String: String] = [:]
    ) throws -> HTTPReply {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(address)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let socket = try connect(address)
        defer { close(socket) }
        try send(socket, Array(head.utf8) + (body ?? []))
        return try parse(readAll(socket))
    }

    static func json(
        _ method: String, _ address: String, _ path: String, _ object: Any, headers: [String: String] = [:]
    ) throws -> HTTPReply {
        let body = try JSONSerialization.data(withJSONObject: object)
        var headers = headers
        headers["Content-Type"] = "application/json"
        return try request(method, address, path, body: Array(body), headers: headers)
    }

    static func connect(_ address: String) throws -> Int32 {
        let parts = address.split(separator: ":")
        let host = parts.dropLast().joined(separator: ":")
        guard let port = UInt16(parts.last ?? "") else { throw ClientError("bad address \(address)") }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        inet_pton(AF_INET, host == "0.0.0.0" || host == "localhost" ? "127.0.0.1" : host, &addr.sin_addr)
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw ClientError("cannot connect to \(address): errno \(errno)")
        }
        return fd
    }

    static func send(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ClientError("send failed: errno \(errno)") }
            offset += n
        }
    }

    static func readAll(_ fd: Int32) throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            guard n > 0 else { throw ClientError("recv failed: errno \(errno)") }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    static func parse(_ raw: [UInt8]) throws -> HTTPReply {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let split = raw.firstRange(of: separator) else { throw ClientError("no header end in \(raw.count) bytes") }
        let head = String(decoding: raw[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw ClientError("bad status line \(head[0])") }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(raw[split.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return HTTPReply(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            guard let lineEnd = bytes[i...].firstRange(of: Array("\r\n".utf8)) else { break }
            let size = Int(String(decoding: bytes[i..<lineEnd.lowerBound], as: UTF8.self), radix: 16) ?? 0
            if size == 0 { break }
            out.append(contentsOf: bytes[lineEnd.upperBound..<min(lineEnd.upperBound + size, bytes.count)])
            i = lineEnd.upperBound + size + 2
        }
        return out
    }
}

struct ClientError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
