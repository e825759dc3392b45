@testable import GauntletCore
@testable import GauntletDriver

/// Drives a `WorkerStateMachine` the way `Worker` does, with no sockets: it keeps what the machine
/// put on the wire by slot, and collects posted intervals and failures, so a test feeds times and
/// responses and looks at what came out.
struct MachineHarness {
    var machine: WorkerStateMachine
    private var actions: [WorkerAction] = []
    /// What each slot on the wire was asked to send.
    private(set) var wire: [Int: OutgoingRequest] = [:]
    private(set) var opened: [Int: Bool] = [:]
    private(set) var cancelled: [Int] = []
    private(set) var records: [IntervalRecord] = []
    private(set) var failures: [String] = []
    private(set) var resolves = 0

    init(plan: RunPlan, worker: Int = 0) {
        machine = WorkerStateMachine(plan: plan, worker: worker)
        machine.start(into: &actions)
        _ = absorb()
    }

    /// Carries out the pending actions; returns the sends among them, in order.
    private mutating func absorb() -> [(slot: Int, request: OutgoingRequest)] {
        var sends: [(slot: Int, request: OutgoingRequest)] = []
        for action in actions {
            switch action {
            case .open(let slot, let timed): opened[slot] = timed
            case .send(let slot, let request):
                wire[slot] = request
                sends.append((slot, request))
            case .cancel(let slot):
                wire[slot] = nil
                cancelled.append(slot)
            case .post(let record, _): records.append(record)
            case .resolve: resolves += 1
            case .fail(let reason): failures.append(reason)
            }
        }
        actions.removeAll()
        return sends
    }

    /// One turn of the loop at `t`.
    @discardableResult
    mutating func tick(_ t: Double, stop: Bool = false) -> [(slot: Int, request: OutgoingRequest)] {
        machine.tick(at: t, stopRequested: stop, into: &actions)
        return absorb()
    }

    /// The exchange on `slot` answered at `t`, then a turn of the loop (as after a completion).
    @discardableResult
    mutating func answer(_ slot: Int, _ response: TransferResponse, at t: Double) -> [(slot: Int, request: OutgoingRequest)] {
        wire[slot] = nil
        machine.completed(slot: slot, response, at: t, into: &actions)
        var sends = absorb()
        sends += tick(t)
        return sends
    }

    /// Slots the request lanes opened (the login lane's are timed by libcurl).
    var laneSlots: Int { opened.values.filter { !$0 }.count }

    /// The slot on the wire whose request matches.
    func slot(where matches: (OutgoingRequest) -> Bool) -> Int? {
        wire.filter { matches($0.value) }.keys.min()
    }

    /// Ends the run: the last interval is posted.
    mutating func finish() {
        machine.finish(into: &actions)
        _ = absorb()
    }

    /// One request type's counters over every posted interval and phase.
    func counters(_ type: RequestType) -> SeriesCounters {
        var total = SeriesCounters()
        let phases = machine.recorder.phaseCount
        for record in records {
            for phase in 0..<phases { total.add(record.counters[type.index * phases + phase]) }
        }
        return total
    }

    func errors(_ type: RequestType, _ category: ErrorCategory) -> Int { counters(type).errors[category.index] }

    var logins: Int { records.reduce(0) { $0 + $1.logins } }
    var refreshes: Int { records.reduce(0) { $0 + $1.refreshes } }
    var loginFailures: Int { records.reduce(0) { $0 + $1.loginFailures } }

    /// The merged histogram of every posted interval.
    func merged(_ histogram: (IntervalRecord) -> LatencyHistogram) -> LatencyHistogram {
        var total = LatencyHistogram.latency()
        for record in records { total.add(histogram(record)) }
        return total
    }
}

extension TransferResponse {
    /// A plain answer from a backend.
    static func status(_ status: Int, servedBy: String? = nil, location: String? = nil, setCookies: [String] = [], body: String = "") -> TransferResponse {
        TransferResponse(status: status, servedBy: servedBy, location: location, setCookies: setCookies, body: Array(body.utf8))
    }
}
