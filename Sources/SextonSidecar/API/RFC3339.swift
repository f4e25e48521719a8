#if canImport(Glibc)
import Glibc
#endif
import SextonCore

extension WallTime {
    /// UTC with milliseconds: `2026-11-25T03:31:13.880Z`.
    public var rfc3339: String {
        var seconds = time_t(nanosecondsSinceEpoch / 1_000_000_000)
        let millis = Int((nanosecondsSinceEpoch % 1_000_000_000) / 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }
}
