import SextonCore

/// Everything wrong with a configuration, reported at once.
public struct ConfigurationErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// Problems with the file as a whole (missing, unreadable, not YAML); its keys are then
    /// unknown, but the environment and flags are still checked.
    public var fileProblems: [String]
    /// Each names the key, the value found and what is allowed.
    public var issues: [ConfigIssue]

    public init(fileProblems: [String] = [], issues: [ConfigIssue] = []) {
        self.fileProblems = fileProblems
        self.issues = issues
    }

    /// One line per problem, as `check-config` prints them.
    public var lines: [String] { fileProblems + issues.map(\.description) }

    public var description: String { lines.joined(separator: "\n") }
}
