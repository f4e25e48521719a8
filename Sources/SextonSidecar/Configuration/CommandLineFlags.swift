import SextonCore

/// Configuration flags: a key path with `.` and `_` written as `-` (`--cleanup-strategy
/// deferred`, `--coordinator-staging-window=0s`); a boolean flag alone means true; a list is
/// comma-separated. Anything else on the command line is an error, so a mistyped flag does not
/// pass silently.
struct CommandLineFlags {
    private(set) var values: [String: [String]] = [:]
    private(set) var issues: [ConfigIssue] = []

    static func flagName(_ key: String) -> String {
        "--" + String(key.map { $0 == "." || $0 == "_" ? "-" : $0 })
    }

    init<Root>(_ arguments: [String], settings: [Setting<Root>]) {
        let byFlag = Dictionary(uniqueKeysWithValues: settings.map { (Self.flagName($0.key), $0) })
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            guard argument.hasPrefix("--") else {
                issues.append(ConfigIssue(key: "arguments", value: argument, allowed: "configuration flags such as --cleanup-strategy deferred"))
                continue
            }
            let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let flag = String(parts[0])
            guard let setting = byFlag[flag] else {
                issues.append(Self.unknownFlagIssue(flag, argument: argument, known: byFlag.keys))
                continue
            }
            let text: String
            if parts.count == 2 {
                text = String(parts[1])
            } else if let next = rest.first, !next.hasPrefix("--"),
                setting.impliedByBareFlag == nil || (try? ValueParser.boolean.parse([next]).get()) != nil {
                text = next
                rest.removeFirst()
            } else if let implied = setting.impliedByBareFlag {
                text = implied
            } else {
                issues.append(ConfigIssue(key: setting.key, value: "", allowed: "a value after \(flag): \(setting.allowed)"))
                continue
            }
            values[setting.key] = setting.isList ? text.split(separator: ",").map(String.init) : [text]
        }
    }

    private static func unknownFlagIssue(_ flag: String, argument: String, known: some Collection<String>) -> ConfigIssue {
        let allowed = Suggestion.closest(to: flag, among: known).map { "configuration flags only; did you mean \($0)?" }
        return ConfigIssue(key: flag, value: argument, allowed: allowed ?? "configuration flags only")
    }
}
