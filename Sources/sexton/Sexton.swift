import ArgumentParser
import Foundation
import Logging
import SextonCore
import SextonHTTP
import SextonSidecar
import SextonTelemetry
import ServiceLifecycle

@main
struct Sexton: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sexton",
        abstract: "Pre-registry conflict resolution and zombie cleanup sidecar.",
        version: BuildInfo.version,
        subcommands: [
            Serve.self, CheckConfig.self, Simulate.self, Version.self,
            StatusCommand.self, ZombiesCommand.self, OperationCommand.self, TargetCommand.self, CleanupCommand.self,
        ])

    /// As ArgumentParser's, but bad usage exits 2 (CONTRACT §8), not EX_USAGE.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data("\(fullMessage(for: error))\n".utf8))
            Foundation.exit(usageExitCode.rawValue)
        }
    }
}

/// Exit code 2: bad usage of a command.
let usageExitCode = ExitCode(2)

/// Exit code 2: an invalid configuration or a listener that cannot bind (CONTRACT §1, §7).
let configurationExitCode = ExitCode(2)

func makeLogger() -> Logger {
    LoggingSystem.bootstrap { LineLogHandler(label: $0) }
    return Logger(label: "sexton")
}

/// Loads the configuration or prints every error and exits 2.
func loadConfiguration(file: String?, arguments: [String], logger: Logger) throws -> SextonConfiguration {
    switch ConfigurationLoader.load(file: file, environment: ProcessInfo.processInfo.environment, arguments: arguments) {
    case .success(let configuration):
        for warning in configuration.warnings { logger.warning("ignored environment variable", metadata: ["problem": "\(warning)"]) }
        return configuration
    case .failure(let errors):
        FileHandle.standardError.write(Data("invalid configuration:\n\(errors)\n".utf8))
        throw configurationExitCode
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the sidecar.",
        discussion: "Any configuration key is also a flag: --cleanup-strategy deferred, --listen-api 127.0.0.1:0.")

    @Option(help: "A YAML configuration file.") var config: String?
    @Flag(help: "Also run the demo workload, so metrics, dashboards and alerts show live data.") var demo = false
    @Argument(parsing: .allUnrecognized, help: "Configuration flags (--<section>-<key> value).") var settings: [String] = []

    func run() async throws {
        let logger = makeLogger()
        let configuration = try loadConfiguration(file: config, arguments: settings, logger: logger)
        let problems = configuration.handlerOutputProblems
        guard problems.isEmpty else {
            FileHandle.standardError.write(Data("cannot serve:\n\(problems.joined(separator: "\n"))\n".utf8))
            throw configurationExitCode
        }
        let sidecar = Sidecar(configuration: configuration, logger: logger)
        let bound: (api: BoundAddress, telemetry: BoundAddress)
        do {
            bound = try await sidecar.bind()
        } catch {
            logger.error("cannot serve", metadata: ["error": "\(error)"])
            throw configurationExitCode
        }
        let services = sidecar.services(extra: demo ? [DemoService(core: sidecar.core)] : [])
        // `listening` is said once the group runs, and so once SIGTERM and SIGINT are trapped:
        // an orchestrator that signals as soon as it reads the line gets a clean shutdown.
        let announcement = Announcement { logger.info("listening", metadata: ["api": "\(bound.api)", "telemetry": "\(bound.telemetry)"]) }
        var groupConfiguration = ServiceGroupConfiguration(
            services: [.init(service: announcement, successTerminationBehavior: .ignore)]
                + services.map { .init(service: $0, failureTerminationBehavior: .gracefullyShutdownGroup) },
            logger: logger)
        groupConfiguration.gracefulShutdownSignals = [.sigterm, .sigint]
        try await ServiceGroup(configuration: groupConfiguration).run()
        logger.info("stopped", metadata: ["zombies_cleaned": "\(sidecar.core.engine.snapshot().zombiesCleaned)"])
    }
}

/// A service that says something once its group has started, then ends.
struct Announcement: Service {
    let say: @Sendable () -> Void

    func run() async { say() }
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate a configuration file alone (no environment, no flags).")

    @Argument(help: "The YAML file to check.") var file: String

    func run() throws {
        switch ConfigurationLoader.check(file: file) {
        case .success:
            print("\(file): configuration is valid")
        case .failure(let errors):
            print("\(file): invalid configuration:\n\(errors)")
            throw configurationExitCode
        }
    }
}

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the reference stress workload in-process and print a summary with the accounting identities checked.")

    @Option(help: "How long to run (Prometheus duration).", transform: parseDuration) var duration: Duration = .seconds(15)
    @Option(help: "How many targets the batches compete for.") var targets = 5
    @Option(help: "Operations submitted per second.") var rate = 100.0
    @Option(help: "Seed of the workload's random choices.") var seed: UInt64 = 1
    @Flag(help: "Also serve the telemetry listener while it runs.") var serve = false
    @Option(help: "A YAML configuration file.") var config: String?
    @Argument(parsing: .allUnrecognized, help: "Configuration flags (--<section>-<key> value).") var settings: [String] = []

    func validate() throws {
        guard targets >= 1 else { throw ValidationError("--targets must be at least 1") }
        guard rate > 0, rate <= 10_000_000 else { throw ValidationError("--rate must be above 0 and at most 10000000") }
        guard duration > .zero else { throw ValidationError("--duration must be above 0") }
    }

    func run() async throws {
        let logger = makeLogger()
        let configuration = try loadConfiguration(file: config, arguments: settings, logger: logger)
        let holds = try await Simulation.run(
            configuration: configuration, targets: targets, rate: rate, seed: seed, duration: duration, serve: serve,
            logger: logger)
        if !holds { throw ExitCode(1) }
    }
}

func parseDuration(_ text: String) throws -> Duration {
    guard let duration = Duration(prometheus: text) else {
        throw ValidationError("\"\(text)\" is not a duration like 15s, 2m or 1h30m")
    }
    return duration
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() {
        print("sexton \(BuildInfo.version) (swift \(BuildInfo.swiftVersion))")
    }
}
