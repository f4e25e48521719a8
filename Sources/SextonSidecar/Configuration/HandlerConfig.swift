import SextonCore

/// One entry of the top-level `handlers:` section, named by `cleanup.custom_handler`.
public struct HandlerConfig: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Appends one JSON line per zombie to `path`, fsync'd, before removal.
        case auditLog(path: String)
        case webhook(WebhookConfig)
    }

    public var kind: Kind
    /// How long after the handler succeeded the zombie is kept before removal.
    public var retention: Duration = .zero

    public init(kind: Kind, retention: Duration = .zero) {
        self.kind = kind
        self.retention = retention
    }

    public var typeName: String {
        switch kind {
        case .auditLog: "audit_log"
        case .webhook: "webhook"
        }
    }

    func validate(prefix: String) -> [ConfigIssue] {
        var check = ConfigChecker(prefix: prefix)
        check.check("retention", retention, in: .zero ... .seconds(86_400))
        switch kind {
        case .auditLog(let path) where path.isEmpty:
            check.fail("path", path, allowed: "a file path")
        case .auditLog:
            break
        case .webhook(let webhook):
            if !WebhookConfig.isHTTPURL(webhook.url) {
                check.fail("url", webhook.url, allowed: "an http:// or https:// URL with a host")
            }
            check.check("timeout", webhook.timeout, in: .milliseconds(10) ... .seconds(300))
        }
        return check.issues
    }
}

/// A webhook handler: POSTs each zombie as JSON; a 2xx answer means done.
public struct WebhookConfig: Sendable, Equatable {
    public var url: String
    public var timeout: Duration = .seconds(5)
    /// Sent with every request; the values often carry credentials, so descriptions redact them.
    public var headers: [String: String] = [:]

    public init(url: String, timeout: Duration = .seconds(5), headers: [String: String] = [:]) {
        self.url = url
        self.timeout = timeout
        self.headers = headers
    }

    static func isHTTPURL(_ text: String) -> Bool {
        for scheme in ["http://", "https://"] where text.lowercased().hasPrefix(scheme) {
            let host = text.dropFirst(scheme.count).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            return !host.isEmpty && !host.contains(where: \.isWhitespace)
        }
        return false
    }
}
