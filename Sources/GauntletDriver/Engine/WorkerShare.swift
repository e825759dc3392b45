/// Which share of the run one worker takes: every decision that splits the schedule, the users and the
/// closed-loop connections between workers lives here, so a sharded run (K of N machines) is one more
/// split in this one place.
struct WorkerShare: Sendable, Equatable {
    /// This worker's number, 0..<workers.
    let worker: Int
    let workers: Int

    init(worker: Int, workers: Int) {
        self.worker = worker
        self.workers = Swift.max(1, workers)
    }

    /// Arrival `index` of a schedule (0-based, in time order) is this worker's.
    func takesArrival(_ index: Int) -> Bool { index % workers == worker }

    /// User `index` of the target's credentials is this worker's.
    func takesUser(_ index: Int) -> Bool { index % workers == worker }

    /// This worker's part of `connections` (at least one, so every lane can send).
    func connections(_ connections: Int) -> Int {
        Swift.max(1, connections / workers + (worker < connections % workers ? 1 : 0))
    }

    /// The worker a replay item goes to: a logged-in user's items to the worker owning its credential
    /// (a recorded session stays on one worker), the others in turn.
    func takesReplayItem(_ index: Int, credential: Int?) -> Bool { (credential ?? index) % workers == worker }
}

extension WorkerShare {
    /// A credential's place among this worker's users (the worker that `takesUser` it).
    func localUser(_ credential: Int) -> Int { credential / workers }
}
