#if canImport(Glibc)
import Glibc
#endif
import Prometheus
import Synchronization

/// The standard `process_*` metrics, read from /proc/self at scrape time.
final class ProcessMetrics: Sendable {
    private let cpuSeconds: Counter
    /// The CPU time already added to `cpuSeconds`: a Prometheus counter only moves by increments.
    private let cpuReported = Mutex(0.0)
    private let residentBytes: Gauge
    private let virtualBytes: Gauge
    private let openFDs: Gauge
    private let maxFDs: Gauge
    private let startTime: Gauge
    /// /proc/self/statm, open for the process's life: re-reading from offset 0 regenerates it,
    /// and opening the path each scrape cost more than the read.
    private let statm = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)

    init(registry: PrometheusCollectorRegistry) {
        cpuSeconds = registry.counter(name: "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.")
        residentBytes = registry.gauge(name: "process_resident_memory_bytes", help: "Resident memory size in bytes.")
        virtualBytes = registry.gauge(name: "process_virtual_memory_bytes", help: "Virtual memory size in bytes.")
        openFDs = registry.gauge(name: "process_open_fds", help: "Number of open file descriptors.")
        maxFDs = registry.gauge(name: "process_max_fds", help: "Maximum number of open file descriptors.")
        startTime = registry.gauge(name: "process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.")
        if let ticks = Self.startTicks(), let boot = Self.bootTime() {
            startTime.set(boot + ticks / Self.ticksPerSecond)
        }
    }

    /// Sources the kernel answers without walking the process's threads: /proc/self/stat sums
    /// every thread's times on each read, and was a sixth of a busy sidecar's scrape.
    func update() {
        if let cpu = Self.cpuSeconds() {
            let delta = cpuReported.withLock { reported in
                defer { reported = max(reported, cpu) }
                return cpu - reported
            }
            if delta > 0 { cpuSeconds.increment(by: delta) }
        }
        if let memory = memory() {
            residentBytes.set(memory.resident)
            virtualBytes.set(memory.virtual)
        }
        openFDs.set(Double(openFDCount()))
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            maxFDs.set(Double(limit.rlim_cur))
        }
    }

    /// Listing /proc/self/fd was a seventh of a scrape's CPU; a count up to a second old is
    /// still exact enough for a gauge scraped every few seconds.
    private let fdCount = Mutex<(at: ContinuousClock.Instant, count: Int)?>(nil)

    private func openFDCount() -> Int {
        let now = ContinuousClock.now
        return fdCount.withLock { cached in
            if let cached, now - cached.at < .seconds(1) { return cached.count }
            let count = Self.countOpenFDs()
            cached = (now, count)
            return count
        }
    }

    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    private static let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))

    /// User and system CPU time of every thread, live and ended.
    private static func cpuSeconds() -> Double? {
        var usage = rusage()
        guard getrusage(Int32(RUSAGE_SELF.rawValue), &usage) == 0 else { return nil }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Total program size and resident set, from the first two numbers of statm (in pages).
    private func memory() -> (virtual: Double, resident: Double)? {
        guard statm >= 0 else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { buffer in
            let count = pread(statm, buffer.baseAddress, buffer.count, 0)
            guard count > 0 else { return nil }
            var (size, resident) = (0.0, 0.0)
            var field = 0
            var inNumber = false
            for byte in buffer[..<count] where field < 2 {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
                    if inNumber { field += 1 }
                    inNumber = false
                    continue
                }
                inNumber = true
                let digit = Double(byte - UInt8(ascii: "0"))
                if field == 0 { size = size * 10 + digit } else { resident = resident * 10 + digit }
            }
            guard field == 2 else { return nil }
            return (size * Self.pageSize, resident * Self.pageSize)
        }
    }

    deinit { if statm >= 0 { close(statm) } }

    /// Field 22 of /proc/self/stat (clock ticks from boot to the process's start); the fields
    /// are counted after the parenthesised command name, which may itself hold spaces.
    private static func startTicks() -> Double? {
        guard let text = readFile("/proc/self/stat"), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so starttime is fields[19].
        return fields.count > 19 ? Double(fields[19]) : nil
    }

    /// Read once, at start: the kernel builds all of /proc/stat (every CPU's and interrupt's
    /// counters) for each read, which cost a quarter of a scrape when it was read every time.
    private static func bootTime() -> Double? {
        guard let text = readFile("/proc/stat") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingPrefix(" "))
        }
        return nil
    }

    private static func countOpenFDs() -> Int {
        guard let dir = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { $0.first == UInt8(ascii: ".") }
            if !isDot { count += 1 }
        }
        return count - 1  // the descriptor opendir itself holds
    }

    static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4096) }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
