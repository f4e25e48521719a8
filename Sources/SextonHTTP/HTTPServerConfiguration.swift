import Foundation

extension HTTPServer {
    public struct Configuration: Sendable {
        /// A numeric IPv4 or IPv6 address (`0.0.0.0`, `127.0.0.1`, `::`, `::1`) or a host name
        /// such as `localhost`; a name binds its first IPv4 address when it has one.
        public var host: String
        /// 0 binds a free port; `start()` reports which.
        public var port: Int
        public var maxConnections: Int
        /// Connections one client address may hold at once; nil for no limit of its own.
        public var maxConnectionsPerClient: Int?
        /// Idle time after which MHD closes a connection; also bounds a client that sends slowly.
        public var connectionTimeout: Duration
        /// MHD's per-connection pool: request head, read and write buffers (bodies are kept apart).
        public var perConnectionMemoryLimit: Int
        public var maxBodyBytes: Int
        /// Threads serving connections; 1 means the single polling thread.
        public var threadPoolSize: Int
        /// Names the server in error messages, such as `api` or `telemetry`.
        public var name: String

        public init(
            host: String = "127.0.0.1",
            port: Int = 0,
            maxConnections: Int = 1024,
            maxConnectionsPerClient: Int? = nil,
            connectionTimeout: Duration = .seconds(30),
            perConnectionMemoryLimit: Int = 32 * 1024,
            maxBodyBytes: Int = 64 * 1024,
            threadPoolSize: Int = HTTPServer.processorCount,
            name: String = "http"
        ) {
            self.host = host
            self.port = port
            self.maxConnections = maxConnections
            self.maxConnectionsPerClient = maxConnectionsPerClient
            self.connectionTimeout = connectionTimeout
            self.perConnectionMemoryLimit = perConnectionMemoryLimit
            self.maxBodyBytes = maxBodyBytes
            self.threadPoolSize = threadPoolSize
            self.name = name
        }
    }

    public static var processorCount: Int {
        ProcessInfo.processInfo.activeProcessorCount
    }
}
