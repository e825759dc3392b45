import GauntletCore

/// One request type's lane on a worker: its share of the arrival schedule (or of a replay), its
/// connections (slots) and requests that are ready but wait for a connection.
///
/// It remembers since when a connection has been free, which splits a late request's lag into the
/// wait for a connection the target held and the generator's own lateness.
struct Lane: Sendable {
    let type: RequestType
    /// The lane's place in the worker's lanes.
    let index: Int
    var iterator: ArrivalIterator?
    /// This worker's next arrival (nil: none left).
    private(set) var nextTime: Double?
    private var arrival = -1
    /// Free slots, most recently freed last (reused first: its connection is warmest).
    private(set) var free: [Int] = []
    /// Since when `free` has been non-empty (its bottom slot was freed then).
    private(set) var availableSince = 0.0
    /// Slots this lane has, and the most it may open (`http.connections: auto`; equal when fixed).
    private(set) var opened = 0
    let cap: Int
    private var ready: [PlannedRequest] = []
    private var readyHead = 0
    var generator: SeededGenerator
    /// A replay lane's share of the stream, in time order (nil: the scenario's schedule drives it).
    let replay: [ReplayItem]?
    private(set) var replayHead = 0

    init(type: RequestType, index: Int, iterator: ArrivalIterator?, replay: [ReplayItem]?, cap: Int, generator: SeededGenerator) {
        self.type = type
        self.index = index
        self.iterator = iterator
        self.replay = replay
        self.cap = cap
        self.generator = generator
    }

    /// Sends back to back until the end (a `max` schedule), rather than at intended times.
    var closedLoop: Bool { iterator == nil && replay == nil }
    var hasReady: Bool { readyHead < ready.count }
    var hasBacklog: Bool { nextTime != nil || hasReady }
    /// Whether a due request finds a slot, or may open one.
    var canSend: Bool { !free.isEmpty || opened < cap }

    /// Takes a slot the lane owns from the start (or after `grow`).
    mutating func adopt(_ slot: Int) {
        opened += 1
        free.append(slot)
    }

    /// A free slot, taken.
    mutating func takeSlot() -> Int? { free.popLast() }

    /// A slot back from the wire at `t`.
    mutating func release(_ slot: Int, at t: Double) {
        if free.isEmpty { availableSince = t }
        free.append(slot)
    }

    /// A new slot for an `auto` lane: opening one is the generator's own work, so a request sent on it
    /// waited for no connection.
    mutating func grow(_ slot: Int) {
        opened += 1
        if free.isEmpty { availableSince = -.infinity }
        free.append(slot)
    }

    /// When a connection was first free for a request ready at `readyAt`.
    func connectionFree(readyAt: Double) -> Double { Swift.max(readyAt, availableSince) }

    mutating func enqueueReady(_ request: PlannedRequest) { ready.append(request) }

    mutating func takeReady() -> PlannedRequest? {
        guard readyHead < ready.count else { return nil }
        let request = ready[readyHead]
        readyHead += 1
        if readyHead == ready.count {
            ready.removeAll(keepingCapacity: true)
            readyHead = 0
        }
        return request
    }

    /// Pulls this worker's next arrival: the next of the schedule the share takes, or the replay's next.
    mutating func advance(_ share: WorkerShare) {
        if let replay {
            nextTime = replayHead < replay.count ? replay[replayHead].intended : nil
            return
        }
        // Optional chaining mutates the iterator in place (nil: a closed loop, no arrivals).
        while let t = iterator?.next() {
            arrival += 1
            if share.takesArrival(arrival) {
                nextTime = t
                return
            }
        }
        nextTime = nil
    }

    /// Takes the next arrival if it is due at `t`: its intended time and, for a replay, its item.
    mutating func takeDue(at t: Double, _ share: WorkerShare) -> (intended: Double, item: ReplayItem?)? {
        guard let next = nextTime, next <= t else { return nil }
        var item: ReplayItem?
        if let replay {
            item = replay[replayHead]
            replayHead += 1
        }
        advance(share)
        return (next, item)
    }
}
