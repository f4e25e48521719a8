import Foundation

/// A response as the tests see it.
public struct HTTPReply: Sendable {
    public var status: Int
    /// In the order received, names as sent.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The first header called `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The body as a JSON object; empty when it is not one.
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }
}

/// One request per connection over `RawHTTPConnection`.
public enum HTTPClient {
    /// A request with `Host` and, when there is a body, `Content-Length`; nothing else is added.
    public static func requestBytes(
        _ method: String, _ path: String, host: String = "test", headers: [(String, String)] = [], body: [UInt8]? = nil
    ) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        return Array((head + "\r\n").utf8) + (body ?? [])
    }

    /// `method path` on a fresh connection to `address` (`host:port`), closed after the answer.
    public static func request(
        _ method: String, _ address: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil
    ) throws -> HTTPReply {
        let connection = try RawHTTPConnection(address)
        try connection.send(requestBytes(method, path, host: address, headers: headers + [("Connection", "close")], body: body))
        return try connection.readResponse(bodyless: method == "HEAD")
    }

    /// `object` as a JSON body.
    public static func json(
        _ method: String, _ address: String, _ path: String, _ object: Any, headers: [(String, String)] = []
    ) throws -> HTTPReply {
        let body = try JSONSerialization.data(withJSONObject: object)
        return try request(method, address, path, headers: [("Content-Type", "application/json")] + headers, body: Array(body))
    }
}

public struct ClientError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
