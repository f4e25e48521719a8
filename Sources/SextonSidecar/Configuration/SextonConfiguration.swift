import SextonCore

/// Everything CONTRACT §7 configures, with its defaults. Build it with `ConfigurationLoader`;
/// `description` is the effective configuration with secrets redacted, safe to log.
public struct SextonConfiguration: Sendable, Equatable, CustomStringConvertible {
    public var listen = ListenConfig()
    public var coordinator = CoordinatorConfig()
    /// `coordinator.max_target_types`: distinct `target_type` label values on the metrics before
    /// the rest are `other`. The metrics' setting, not the core's, kept where CONTRACT §7 puts its key.
    public var maxTargetTypes = 50
    public var cleanup = CleanupConfig()
    /// Keyed by op_type.
    public var policies: [String: CleanupOverride] = [:]
    /// Keyed by the name `custom_handler` uses.
    public var handlers: [String: HandlerConfig] = [:]
    public var health = HealthThresholds()
    public var admin = AdminConfig()
    public var limits = LimitsConfig()
    public var memory = MemoryConfig()
    public var shutdownTimeout: Duration = .seconds(10)
    public var store = StoreConfig()
    /// Problems that do not stop the sidecar (unknown `SEXTON_*` variables); `serve` logs them.
    public var warnings: [String] = []

    public init() {}

    /// The cleanup configuration for operations of `opType`: the global section with its policy
    /// applied (a per-operation override then goes on top with `applying`).
    public func cleanupConfig(forOpType opType: String) -> CleanupConfig {
        cleanup.applying(policies[opType])
    }

    /// Every range error and inconsistency, each naming the key, the value and what is allowed.
    public func validate() -> [ConfigIssue] {
        var check = ConfigChecker(prefix: "")
        check.absorb(listen.validate())
        check.absorb(coordinator.validate())
        check.check("coordinator.max_target_types", maxTargetTypes, in: 1...1000)
        let cleanupIssues = cleanup.validate(prefix: "cleanup")
        check.absorb(cleanupIssues)
        check.absorb(unknownHandlerIssue(cleanup.customHandler, key: "cleanup.custom_handler").map { [$0] } ?? [])
        for (opType, policy) in policies.sorted(by: { $0.key < $1.key }) {
            check.absorb(policyIssues(opType, policy, globalIssues: cleanupIssues))
        }
        for (name, handler) in handlers.sorted(by: { $0.key < $1.key }) {
            if !OpTypeSyntax.isValid(name) { check.fail("handlers", name, allowed: "handler names of \(OpTypeSyntax.allowed)") }
            check.absorb(handler.validate(prefix: "handlers.\(name)"))
        }
        check.absorb(health.validate())
        check.absorb(limits.validate())
        check.check("shutdown_timeout", shutdownTimeout, in: .zero ... .seconds(600))
        check.absorb(store.validate())
        return check.issues
    }

    /// A policy is checked as the global configuration with it applied; problems the global
    /// section already has are reported once, under `cleanup`.
    private func policyIssues(_ opType: String, _ policy: CleanupOverride, globalIssues: [ConfigIssue]) -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        if !OpTypeSyntax.isValid(opType) {
            issues.append(ConfigIssue(key: "policies", value: opType, allowed: "op types of \(OpTypeSyntax.allowed)"))
        }
        let prefix = "policies.\(opType)"
        let applied = cleanup.applying(policy).validate(prefix: "cleanup").filter { !globalIssues.contains($0) }
        issues += applied.map { ConfigIssue(key: prefix + $0.key.dropFirst("cleanup".count), value: $0.value, allowed: $0.allowed) }
        if let issue = unknownHandlerIssue(policy.customHandler, key: "\(prefix).custom_handler") { issues.append(issue) }
        return issues
    }

    private func unknownHandlerIssue(_ name: String?, key: String) -> ConfigIssue? {
        guard let name, !name.isEmpty, handlers[name] == nil else { return nil }
        let known = handlers.keys.sorted()
        let allowed = known.isEmpty
            ? "a handler defined under handlers: (none are)"
            : "a handler defined under handlers: \(known.joined(separator: ", "))"
        return ConfigIssue(key: key, value: name, allowed: allowed)
    }

    public var description: String { effectiveDescription() }
}
