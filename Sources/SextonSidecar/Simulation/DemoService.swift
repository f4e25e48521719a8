import ServiceLifecycle
import SextonCore

/// `sexton serve --demo`: the simulate workload against the serving sidecar, until shutdown, so
/// `/metrics`, the dashboards and the alerts show live data.
public struct DemoService: Service {
    let core: SidecarCore
    let settings: Workload.Settings

    public init(core: SidecarCore, settings: Workload.Settings = Workload.Settings()) {
        self.core = core
        self.settings = settings
    }

    public func run() async throws {
        let workload = Workload(coordinator: core.coordinator, clock: core.clock, settings: settings)
        await cancelWhenGracefulShutdown { _ = await workload.run(for: nil) }
    }
}
