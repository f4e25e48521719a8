import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SextonCore

/// Why an operator command failed, and the exit code it ends with (CONTRACT §8).
public enum OperatorError: Error, CustomStringConvertible {
    /// The sidecar answered an error: exit 1 with its message.
    case answered(status: Int, code: String, message: String)
    /// The operator did not confirm a purge: nothing done, exit 1.
    case declined
    /// Bad usage: exit 2.
    case usage(String)
    /// Nothing answered at that URL: exit 3.
    case unreachable(url: String, reason: String)

    public var exitCode: Int32 {
        switch self {
        case .answered, .declined: 1
        case .usage: 2
        case .unreachable: 3
        }
    }

    public var description: String {
        switch self {
        case .answered(let status, let code, let message): "error: \(message) (\(status) \(code))"
        case .declined: "not confirmed: nothing was removed"
        case .usage(let message): "error: \(message)"
        case .unreachable(let url, let reason): "error: cannot reach the sidecar at \(url): it \(reason)"
        }
    }
}

/// An answer of the sidecar: its bytes as sent (what `--output json` prints) and their JSON.
public struct SidecarAnswer: Sendable {
    public let body: [UInt8]
    public let json: JSONValue
}

/// The operator commands' client of a running sidecar's API and telemetry listeners.
public struct SidecarClient: Sendable {
    public let apiURL: String
    public let telemetryURL: String
    let token: String?
    static let timeout: Duration = .seconds(30)

    /// URLs are `http://host:port` (a trailing `/` is fine); anything else is bad usage.
    public init(apiURL: String, telemetryURL: String, token: String?) throws(OperatorError) {
        for url in [apiURL, telemetryURL] where !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw .usage("\(url) is not an http:// or https:// URL")
        }
        self.apiURL = String(apiURL.reversed().drop { $0 == "/" }.reversed())
        self.telemetryURL = String(telemetryURL.reversed().drop { $0 == "/" }.reversed())
        self.token = token
    }

    public enum Listener: Sendable { case api, telemetry }

    /// `path` holds its query already encoded; `admin` sends the bearer token.
    public func call(_ method: HTTPMethod, _ path: String, on listener: Listener = .api, admin: Bool = false) async throws(OperatorError) -> SidecarAnswer {
        let url = (listener == .api ? apiURL : telemetryURL) + path
        var request = HTTPClientRequest(url: url)
        request.method = method
        if admin, let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let status: Int
        let bytes: [UInt8]
        do {
            let response = try await OutgoingHTTP.client.execute(request, timeout: .nanoseconds(Self.timeout.nanoseconds))
            status = Int(response.status.code)
            bytes = Array(buffer: try await response.body.collect(upTo: 64 << 20))
        } catch {
            throw .unreachable(url: url, reason: OutgoingHTTP.describe(error, timeout: Self.timeout))
        }
        let json = JSONValue.parse(bytes)
        guard (200..<300).contains(status) else {
            let error = json?["error"]
            throw .answered(
                status: status, code: error?["code"]?.string ?? "http_\(status)",
                message: error?["message"]?.string ?? String(decoding: bytes.prefix(512), as: UTF8.self))
        }
        guard let json else { throw .answered(status: status, code: "not_json", message: "\(url) answered something other than JSON") }
        return SidecarAnswer(body: bytes, json: json)
    }

    /// A path segment or query value, percent-encoded (a target may hold any printable character).
    public static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 0xF)])"
            }
        }
        return out
    }
}
