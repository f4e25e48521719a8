/// The outcome of a submission once its batch resolved.
public struct Decision: Sendable, Equatable {
    public var id: String
    public var isAdmitted: Bool
    /// The registry entity, when admitted.
    public var ecsId: EntityID?
    public var target: String
    public var targetVersion: Int
    /// Why it was rejected; nil when admitted.
    public var reason: RejectReason?
    /// The operation that holds the target after the resolution (this one when admitted);
    /// nil when a rejected batch left the target free (every member had a version conflict).
    public var winner: String?

    public init(
        id: String, isAdmitted: Bool, ecsId: EntityID?, target: String, targetVersion: Int,
        reason: RejectReason?, winner: String?
    ) {
        self.id = id
        self.isAdmitted = isAdmitted
        self.ecsId = ecsId
        self.target = target
        self.targetVersion = targetVersion
        self.reason = reason
        self.winner = winner
    }

    /// `admitted` or `rejected`.
    public var status: OperationStatus { isAdmitted ? .admitted : .rejected }
}
