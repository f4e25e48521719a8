import Foundation

/// Binds the listening socket before MHD sees it, so a failure keeps its errno
/// ("Address already in use") and port 0 can be read back with getsockname.
enum ListenSocket {
    static func open(host: String, port: Int, name: String) throws -> (fd: Int32, address: BoundAddress) {
        let requested = BoundAddress(host: host, port: port).description
        func failure(_ reason: String) -> HTTPServerError {
            .cannotListen(name: name, address: requested, reason: reason)
        }
        guard (0...65535).contains(port) else { throw failure("port out of range") }

        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let list else { throw failure(String(cString: gai_strerror(status))) }
        defer { freeaddrinfo(list) }
        let candidates = sequence(first: list) { $0.pointee.ai_next }.map(\.pointee)
        let info = candidates.first { $0.ai_family == AF_INET } ?? candidates[0]

        let fd = socket(info.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure(String(cString: strerror(errno))) }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, info.ai_addr, info.ai_addrlen) == 0, listen(fd, SOMAXCONN) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw failure(reason)
        }
        return (fd, try boundAddress(fd, fallback: requested, name: name))
    }

    private static func boundAddress(_ fd: Int32, fallback: String, name: String) throws -> BoundAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        var hostBuffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var portBuffer = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let status = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                guard getsockname(fd, address, &length) == 0 else { return EAI_SYSTEM }
                return getnameinfo(
                    address, length, &hostBuffer, socklen_t(hostBuffer.count), &portBuffer,
                    socklen_t(portBuffer.count), NI_NUMERICHOST | NI_NUMERICSERV
                )
            }
        }
        guard status == 0, let port = Int(text(portBuffer)) else {
            close(fd)
            throw HTTPServerError.cannotListen(name: name, address: fallback, reason: "cannot read the bound address")
        }
        return BoundAddress(host: text(hostBuffer), port: port)
    }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
