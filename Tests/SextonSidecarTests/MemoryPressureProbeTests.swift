import Foundation
import Testing
@testable import SextonSidecar

/// The probe reads fixture files laid out like a container's cgroup and /proc/meminfo.
@Suite struct MemoryPressureProbeTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("sexton-memory-\(UUID().uuidString)")

    init() throws {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: root.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func probe(_ source: MemorySource, meminfo: String = "meminfo") -> MemoryPressureProbe {
        var config = MemoryConfig()
        config.source = source
        config.cgroupRoot = root.path
        config.meminfo = root.appendingPathComponent(meminfo).path
        return MemoryPressureProbe(config)
    }

    static let meminfo = "MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:    4000000 kB\n"

    @Test func cgroupV2() throws {
        try write("memory.current", "950\n")
        try write("memory.max", "1000\n")
        #expect(probe(.auto).sample() == 0.95)
        #expect(probe(.cgroup).sample() == 0.95)
    }

    @Test func cgroupV1WhenV2IsAbsent() throws {
        try write("memory.usage_in_bytes", "300\n")
        try write("memory.limit_in_bytes", "1200\n")
        #expect(probe(.auto).sample() == 0.25)
    }

    @Test func unlimitedCgroupFallsBackToMeminfo() throws {
        try write("memory.current", "950\n")
        try write("memory.max", "max\n")
        try write("meminfo", Self.meminfo)
        #expect(probe(.auto).sample() == 0.75)
        #expect(probe(.cgroup).sample() == nil)
    }

    @Test func meminfoWhenForcedOrWithoutCgroup() throws {
        try write("memory.current", "950\n")
        try write("memory.max", "1000\n")
        try write("meminfo", Self.meminfo)
        #expect(probe(.meminfo).sample() == 0.75)
        let bare = probe(.auto, meminfo: "meminfo")
        try FileManager.default.removeItem(at: root.appendingPathComponent("memory.max"))
        #expect(bare.sample() == 0.75)
    }

    @Test func unreadableOrMalformedSourcesGiveNoSample() throws {
        try write("memory.current", "lots\n")
        try write("memory.max", "1000\n")
        try write("meminfo", "MemTotal: 0 kB\n")
        #expect(probe(.auto).sample() == nil)
        #expect(probe(.meminfo, meminfo: "missing").sample() == nil)
    }

    @Test func usageAboveTheLimitReadsAsFull() throws {
        try write("memory.current", "1500\n")
        try write("memory.max", "1000\n")
        #expect(probe(.cgroup).sample() == 1)
    }
}
