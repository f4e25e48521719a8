#if canImport(Glibc)
import Glibc
/// Bytes the allocator has handed out and not had back, from glibc's `malloc_info` report:
/// the arenas' system bytes, less their free chunks, plus mmapped chunks. Unlike resident
/// memory it ignores freed pages the allocator keeps, and it does not depend on page faults.
/// (`malloc_info` is not in the Glibc module map, hence dlsym.)
func heapBytesInUse() -> Int {
    typealias MallocInfo = @convention(c) (Int32, UnsafeMutablePointer<FILE>?) -> Int32
    guard let symbol = dlsym(nil, "malloc_info") else { return 0 }
    var buffer: UnsafeMutablePointer<CChar>?
    var size = 0
    guard let stream = open_memstream(&buffer, &size) else { return 0 }
    _ = unsafeBitCast(symbol, to: MallocInfo.self)(0, stream)
    fclose(stream)
    defer { free(buffer) }
    guard let buffer else { return 0 }
    let report = String(cString: buffer)
    // The totals over all arenas are the last lines of each kind.
    func last(_ prefix: String) -> Int {
        guard let line = report.split(separator: "\n").last(where: { $0.contains(prefix) }),
              let start = line.firstRange(of: "size=\"") else { return 0 }
        return Int(line[start.upperBound...].prefix { $0.isNumber }) ?? 0
    }
    return last("<system type=\"current\"") - last("<total type=\"fast\"") - last("<total type=\"rest\"")
        + last("<total type=\"mmap\"")
}
#else
func heapBytesInUse() -> Int { 0 }
#endif
