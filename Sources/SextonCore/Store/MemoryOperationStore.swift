/// `store.backend: memory`: everything lives in this process's coordinator and cleanup engine
/// (CONTRACT §10); every answer but a staged submission's is given before the call returns.
public struct MemoryOperationStore: OperationStore {
    public let coordinator: Coordinator
    public let engine: CleanupEngine

    public init(coordinator: Coordinator, engine: CleanupEngine) {
        self.coordinator = coordinator
        self.engine = engine
    }

    public var leaseTimeout: Duration { coordinator.config.leaseTimeout }

    public func submit(_ request: OperationRequest, _ done: @escaping Done<Decision>) {
        do {
            try coordinator.submit(request) { done(.success($0)) }
        } catch {
            done(.failure(error))
        }
    }

    public func submitBatch(_ requests: [OperationRequest], _ done: @escaping @Sendable ([Result<Decision, SextonError>]) -> Void) {
        done(coordinator.submitBatch(requests))
    }

    public func apply(_ transition: Transition, to id: String, _ done: @escaping Done<OperationView>) {
        done(Result { () throws(SextonError) in
            try coordinator.apply(transition, to: id)
            return try view(id)
        })
    }

    public func operation(_ id: String, _ done: @escaping Done<OperationView>) {
        done(Result { () throws(SextonError) in try view(id) })
    }

    public func target(_ name: String, _ done: @escaping Done<TargetReport>) {
        // Zombies first: a query meeting the target is where lazy cleanup removes its expired ones.
        let zombies = engine.zombies(target: name, limit: 1000)
        done(.success(TargetReport(target: coordinator.target(name), zombies: zombies)))
    }

    public func zombies(_ query: ZombieQuery, _ done: @escaping Done<[TrackedZombie]>) {
        done(.success(engine.zombies(target: query.target, targetType: query.targetType, limit: query.limit)))
    }

    private func view(_ id: String) throws(SextonError) -> OperationView {
        guard let view = coordinator.operation(id) else { throw SextonError(.notFound, "no operation \(id)") }
        return view
    }
}
