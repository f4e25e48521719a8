import SextonCore

extension SextonConfiguration {
    static let redacted = JSONValue.string("<redacted>")

    /// The configuration in effect, shaped like the YAML file (snake_case keys, Prometheus
    /// durations). Policies show the cleanup keys they resolve to; the admin token, the store's
    /// password (and the URL's) and webhook header values are redacted.
    public var effective: JSONValue {
        var value = ConfigurationKeys.all.render(self)
        value.set(admin.token == nil ? .null : Self.redacted, at: ["admin", "token"])
        value.set(store.postgres.password == nil ? .null : Self.redacted, at: ["store", "postgres", "password"])
        value.set(.sorted(policies.keys.reduce(into: [:]) { object, opType in
            object[opType] = ConfigurationKeys.policy.render(cleanupConfig(forOpType: opType))
        }), at: ["policies"])
        value.set(.sorted(handlers.mapValues(\.effective)), at: ["handlers"])
        return value
    }

    /// `effective` as indented JSON with sorted keys.
    public func effectiveDescription() -> String { effective.pretty }
}

extension HandlerConfig {
    var effective: JSONValue {
        var fields: [String: JSONValue] = ["type": .string(typeName), "retention": .string(retention.prometheusText)]
        switch kind {
        case .auditLog(let path):
            fields["path"] = .string(path)
        case .webhook(let webhook):
            fields["url"] = .string(webhook.url)
            fields["timeout"] = .string(webhook.timeout.prometheusText)
            fields["headers"] = .sorted(webhook.headers.mapValues { _ in SextonConfiguration.redacted })
        }
        return .sorted(fields)
    }
}
