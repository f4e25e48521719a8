import Configuration
import Foundation
import SextonCore

/// Builds a `SextonConfiguration` from a YAML file, then `SEXTON_*` environment variables, then
/// flags, later ones winning (CONTRACT §7), and reports every problem at once.
///
/// swift-configuration's `ConfigReader` resolves each fixed key across the three layers, and
/// its `EnvironmentVariablesProvider` maps keys to variable names (`cleanup.retention` →
/// `SEXTON_CLEANUP_RETENTION`) and splits lists on commas. Values are read as text and parsed
/// here, because the reader's typed getters turn a malformed value into "absent" instead of an
/// error. The file is read with Yams (see `ConfigurationFile`), and flags here, because unknown
/// keys and flags must be errors and swift-configuration cannot list what a provider holds.
public enum ConfigurationLoader {
    /// The admin token itself; it wins over `admin.token_file`. There is deliberately no
    /// file key or flag for the token: a flag would show in `ps`.
    public static let adminTokenVariable = "SEXTON_ADMIN_TOKEN"
    public static let storePasswordVariable = "SEXTON_STORE_POSTGRES_PASSWORD"
    static let environmentPrefix = "SEXTON_"

    /// `file` nil means defaults, the environment and flags only. `arguments` are configuration
    /// flags only: `--config` and `--demo` belong to the command and must be taken out first.
    public static func load(file: String?, environment: [String: String], arguments: [String]) -> Result<SextonConfiguration, ConfigurationErrors> {
        let settings = ConfigurationKeys.all
        var errors = ConfigurationErrors()

        var fileSection: YAMLSection?
        switch file.map(ConfigurationFile.read) {
        case .success(let mapping)?:
            fileSection = YAMLSection(mapping, schema: ConfigSchema(settings, namedMaps: ["policies", "handlers"]))
            errors.issues += fileSection?.issues ?? []
        case .failure(let failure)?:
            errors.fileProblems += failure.fileProblems
        case nil:
            break
        }
        let flags = CommandLineFlags(arguments, settings: settings)
        errors.issues += flags.issues

        let reader = ConfigReader(providers: [
            InMemoryProvider(name: "flags", values: configValues(flags.values, settings)),
            EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "sexton"),
            InMemoryProvider(name: "file", values: configValues(fileSection?.values ?? [:], settings)),
        ])
        var config = SextonConfiguration()
        var written: [String: String] = [:]
        for setting in settings {
            let key = ConfigKey(setting.key.split(separator: ".").map(String.init))
            let texts = setting.isList ? reader.stringArray(forKey: key) : reader.string(forKey: key).map { [$0] }
            guard let texts else { continue }
            errors.issues += setting.assign(texts, &config, setting.key)
            written[setting.key] = texts.joined(separator: ",")
        }

        let (policies, policyIssues) = PolicySection.read(fileSection?.namedMaps["policies"] ?? [], global: config.cleanup)
        let (handlers, handlerIssues) = HandlerSection.read(fileSection?.namedMaps["handlers"] ?? [])
        config.policies = policies
        config.handlers = handlers
        // Warnings, not errors: a stray SEXTON_ variable from a test harness or a platform must
        // not stop the sidecar, but a misspelt one is still reported at start.
        config.warnings = unknownVariables(environment, settings: settings).map(\.description)
        errors.issues += policyIssues + handlerIssues + resolveToken(&config, environment: environment)
            + resolveStorePassword(&config, environment: environment)
        // The checks see parsed values; an error shows the value as it was written (`48h`, not
        // its canonical `2d`).
        errors.issues += config.validate().map { issue in
            var issue = issue
            issue.value = written[issue.key] ?? issue.value
            return issue
        }

        return errors.lines.isEmpty ? .success(config) : .failure(errors)
    }

    /// What `sexton check-config FILE` checks: the file alone, no environment, no flags.
    public static func check(file: String) -> Result<SextonConfiguration, ConfigurationErrors> {
        load(file: file, environment: [:], arguments: [])
    }

    /// The environment variable that sets `key` (`cleanup.retention` → `SEXTON_CLEANUP_RETENTION`).
    public static func environmentName(forKey key: String) -> String {
        environmentPrefix + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    private static func configValues<Root>(_ values: [String: [String]], _ settings: [Setting<Root>]) -> [AbsoluteConfigKey: ConfigValue] {
        var result: [AbsoluteConfigKey: ConfigValue] = [:]
        for setting in settings {
            guard let texts = values[setting.key] else { continue }
            let key = AbsoluteConfigKey(setting.key.split(separator: ".").map(String.init))
            result[key] = ConfigValue(setting.isList ? .stringArray(texts) : .string(texts.first ?? ""), isSecret: false)
        }
        return result
    }

    /// `SEXTON_*` variables that name no key (the caller reports them as warnings, unlike
    /// unknown keys in the file and flags). Their values are not shown: a mistyped token
    /// variable would otherwise print the token.
    private static func unknownVariables<Root>(_ environment: [String: String], settings: [Setting<Root>]) -> [ConfigIssue] {
        let known = Set(settings.map { environmentName(forKey: $0.key) } + [adminTokenVariable, storePasswordVariable])
        let unknown = environment.keys.filter { $0.hasPrefix(environmentPrefix) && !known.contains($0) && !isServiceLink($0) }
        return unknown.sorted().map { name in
            let allowed = "SEXTON_ variables naming configuration keys"
            return ConfigIssue(key: name, value: "<not shown>", allowed: Suggestion.closest(to: name, among: known).map { "\(allowed); did you mean \($0)?" } ?? allowed)
        }
    }

    /// Kubernetes gives every pod `<SERVICE>_SERVICE_HOST`, `<SERVICE>_PORT_7477_TCP_ADDR` and
    /// the like for each Service in the namespace; a Service named `sexton` must not stop the
    /// sidecar from starting. No configuration key ends like these.
    static func isServiceLink(_ name: String) -> Bool {
        name.wholeMatch(of: #/[A-Z0-9_]+_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT|PORT_[0-9]+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?)/#) != nil
    }

    /// `SEXTON_ADMIN_TOKEN` when set, else the trimmed contents of `admin.token_file`. An empty
    /// token is an error: it would make the admin API accept `Bearer ` with nothing after it.
    private static func resolveToken(_ config: inout SextonConfiguration, environment: [String: String]) -> [ConfigIssue] {
        if let text = environment[adminTokenVariable] {
            config.admin.token = AdminToken(text.trimmingCharacters(in: .whitespacesAndNewlines))
            return config.admin.token == nil ? [ConfigIssue(key: adminTokenVariable, value: "", allowed: "a non-empty token")] : []
        }
        guard let path = config.admin.tokenFile else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else {
            return [ConfigIssue(key: "admin.token_file", value: path, allowed: "a readable file holding the token")]
        }
        config.admin.token = AdminToken(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        return config.admin.token == nil ? [ConfigIssue(key: "admin.token_file", value: path, allowed: "a file holding a non-empty token")] : []
    }

    /// The database password: `SEXTON_STORE_POSTGRES_PASSWORD`, else the trimmed contents of
    /// `store.postgres.password_file`, else the URL's own.
    private static func resolveStorePassword(_ config: inout SextonConfiguration, environment: [String: String]) -> [ConfigIssue] {
        var postgres = config.store.postgres
        defer { config.store.postgres = postgres }
        if let text = environment[storePasswordVariable] {
            postgres.password = StorePassword(text)
            return postgres.password == nil ? [ConfigIssue(key: storePasswordVariable, value: "", allowed: "a non-empty password")] : []
        }
        if !postgres.passwordFile.isEmpty {
            guard let data = FileManager.default.contents(atPath: postgres.passwordFile) else {
                return [ConfigIssue(key: "store.postgres.password_file", value: postgres.passwordFile, allowed: "a readable file holding the password")]
            }
            postgres.password = StorePassword(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            return postgres.password == nil
                ? [ConfigIssue(key: "store.postgres.password_file", value: postgres.passwordFile, allowed: "a file holding a non-empty password")] : []
        }
        postgres.password = postgres.endpoint?.password.flatMap(StorePassword.init)
        return []
    }
}
