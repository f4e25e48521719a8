import SextonCore

extension HandlerConfig {
    /// The handler this entry configures.
    func makeHandler() -> any CleanupHandler {
        switch kind {
        case .auditLog(let path): AuditLogHandler(path: path, retention: retention)
        case .webhook(let webhook): WebhookHandler(config: webhook, retention: retention)
        }
    }
}
