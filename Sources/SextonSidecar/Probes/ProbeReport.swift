/// One named check of a kube-style probe.
public struct ProbeCheck: Sendable {
    public var name: String
    /// nil when the check passes, else why it fails.
    public var failure: String?

    public init(_ name: String, failure: String? = nil) {
        self.name = name
        self.failure = failure
    }
}

/// Renders `/livez` and `/readyz` the way kube-apiserver does: `ok` when every check passes,
/// else (or with `?verbose`) one `[+]name ok` / `[-]name failed: reason` line per check and a
/// closing `<probe> check passed|failed` line.
public struct ProbeReport: Sendable {
    public var probe: String
    public var checks: [ProbeCheck]

    public init(probe: String, checks: [ProbeCheck]) {
        self.probe = probe
        self.checks = checks
    }

    /// `exclude` names checks to skip (`?exclude=NAME`, repeatable); unknown names are ignored.
    public func render(verbose: Bool, exclude: Set<String>) -> (status: Int, body: String) {
        var lines: [String] = []
        var passed = true
        for check in checks {
            if exclude.contains(check.name) {
                lines.append("[+]\(check.name) excluded: ok")
            } else if let failure = check.failure {
                passed = false
                lines.append("[-]\(check.name) failed: \(failure)")
            } else {
                lines.append("[+]\(check.name) ok")
            }
        }
        let status = passed ? 200 : 503
        if passed && !verbose { return (status, "ok") }
        lines.append("\(probe) check \(passed ? "passed" : "failed")")
        return (status, lines.joined(separator: "\n") + "\n")
    }
}
