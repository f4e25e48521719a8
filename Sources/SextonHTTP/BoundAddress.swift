/// Where a started server listens.
public struct BoundAddress: Sendable, Hashable, CustomStringConvertible {
    /// Numeric address, such as `127.0.0.1` or `::1`.
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `127.0.0.1:41234`, or `[::1]:41234` for IPv6.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
