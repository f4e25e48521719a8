import SextonCore

/// A listener's `host:port` (`127.0.0.1:7477`, `[::1]:9477`, `localhost:0`, `:9477`).
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// An IP literal (IPv6 without brackets) or a host name, as `HTTPServer.Configuration` takes it.
    public var host: String
    /// 0 binds a free port.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`; an IPv6 host is written in brackets. An empty host means every IPv4
    /// interface, as in Prometheus's `--web.listen-address=:9090`.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") {
            guard host.hasSuffix("]") else { return nil }
            host = String(host.dropFirst().dropLast())
            guard host.contains(":"), host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        } else if host.isEmpty {
            host = "0.0.0.0"
        } else {
            let allowed = { (c: Character) in c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "-" || c == "_") }
            guard host.allSatisfy(allowed) else { return nil }
        }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    static let allowedText = "host:port with port 0–65535, e.g. 127.0.0.1:7477, [::1]:9477 or :9477"
}

/// The `listen:` section: where the two libmicrohttpd daemons bind.
public struct ListenConfig: Sendable, Equatable {
    public var api = ListenAddress(host: "127.0.0.1", port: 7477)
    public var telemetry = ListenAddress(host: "0.0.0.0", port: 9477)

    public init() {}

    func validate() -> [ConfigIssue] {
        [("api", api), ("telemetry", telemetry)].compactMap { name, address in
            (0...65535).contains(address.port)
                ? nil : ConfigIssue(key: "listen.\(name)", value: address.description, allowed: ListenAddress.allowedText)
        }
    }
}
