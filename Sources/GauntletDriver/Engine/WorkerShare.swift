import GauntletCore

/// Which share of the run one worker takes: every decision that splits the schedule, the users and the
/// closed-loop connections between workers lives here, so a sharded run (K of N machines) is one more
/// split in this one place: the shard takes its part first (`Shard`, pure, in GauntletCore), then the
/// worker its part of the shard's.
struct WorkerShare: Sendable, Equatable {
    /// This worker's number, 0..<workers.
    let worker: Int
    let workers: Int
    /// This machine's part of a sharded run (`.whole` alone).
    let shard: Shard
    /// Per credential, its place among the shard's users (nil: another shard's user).
    private let shardUsers: [Int?]

    init(worker: Int, workers: Int, shard: Shard = .whole, roles: [Role] = []) {
        self.worker = worker
        self.workers = Swift.max(1, workers)
        self.shard = shard
        var places = [Int?](repeating: nil, count: roles.count)
        for (place, credential) in shard.ownedUsers(roles: roles).enumerated() { places[credential] = place }
        self.shardUsers = places
    }

    /// Arrival `index` of a schedule (0-based, in time order) is this worker's.
    func takesArrival(_ index: Int) -> Bool {
        guard let local = shard.localIndex(ofArrival: index) else { return false }
        return local % workers == worker
    }

    /// User `index` of the target's credentials is this worker's.
    func takesUser(_ index: Int) -> Bool {
        guard let place = shardPlace(index) else { return false }
        return place % workers == worker
    }

    /// This worker's part of `connections` (at least one, so every lane can send). A closed loop's
    /// `max` connections are split between shards first.
    func connections(_ connections: Int, closedLoop: Bool = false) -> Int {
        let total = closedLoop ? shard.share(of: connections) : connections
        return Swift.max(1, total / workers + (worker < total % workers ? 1 : 0))
    }

    /// The worker a replay item goes to: a logged-in user's items to the worker owning its credential
    /// (a recorded session stays on one worker), the others in turn.
    func takesReplayItem(_ index: Int, credential: Int?) -> Bool {
        if let credential { return takesUser(credential) }
        guard let local = shard.localIndex(ofArrival: index) else { return false }
        return local % workers == worker
    }

    /// The random streams' name for this worker: its shard is part of it, so no two shards (nor two
    /// workers) draw the same stream. An unsharded run keeps the names it always had.
    var streamName: String { shard.isWhole ? "worker-\(worker)" : "shard-\(shard.index)-worker-\(worker)" }

    private func shardPlace(_ credential: Int) -> Int? {
        shard.isWhole ? credential : (credential < shardUsers.count ? shardUsers[credential] : nil)
    }
}

extension WorkerShare {
    /// A credential's place among this worker's users (the worker that `takesUser` it).
    func localUser(_ credential: Int) -> Int { (shardPlace(credential) ?? credential) / workers }
}
