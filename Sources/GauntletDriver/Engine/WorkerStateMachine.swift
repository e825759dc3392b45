import Foundation
import GauntletCore

/// One worker's whole behaviour, with no I/O: its lanes and their schedule share, its users' sessions,
/// the upload token, freshness probes and the judging of every response. It takes the time as a
/// parameter and answers with `WorkerAction`s, which `Worker` carries out through `CurlMultiLoop`.
/// Table-tested by feeding it times and responses (WorkerStateMachineTests).
///
/// Slots are the worker's easy handles by number: each request lane owns some (its connections), the
/// login lane (logins, the upload token, probes) owns the rest.
struct WorkerStateMachine {
    let plan: RunPlan
    let share: WorkerShare
    let duration: Double
    let phaseEnds: [Double]
    let oracle = RoutingOracle()
    var recorder: WorkerRecorder
    var log: RequestLogEncoder?
    var lanes: [Lane] = []
    var sessions: UserSessions
    var token = UploadTokenCache()
    var prober = FreshnessProber()
    var factory: RequestFactory
    /// What each slot is doing, and its lane (-1: the login lane).
    var jobs: [Job] = []
    var slotLane: [Int] = []
    var loginFree: [Int] = []
    /// Exchanges on the wire.
    var busy = 0
    let needsToken: Bool
    var tokenHeaders = HeaderSets.none
    var initiateAuthHeaders = HeaderSets.none
    /// Loop state: the next interval boundary, the timeout sweep, the stop.
    var nextBoundary = 1.0
    var nextSweep = 0.0
    let sweepInterval: Double
    var stopDeadline = Double.infinity
    var stoppedAt: Double?
    /// A slot was freed since lanes were last offered slots (a closed-loop lane has no other trigger).
    var freedSinceIssue = true
    /// When the pinned DNS answers run out (infinity: nothing pinned by lookup).
    var dnsExpiry = Double.infinity
    var resolving = false
    private(set) var finished = false

    init(plan: RunPlan, worker: Int) {
        self.plan = plan
        self.share = WorkerShare(worker: worker, workers: plan.workers, shard: plan.shard, roles: plan.target.users.map(\.role))
        self.duration = plan.scenario.duration
        self.phaseEnds = plan.phaseEnds
        self.recorder = WorkerRecorder(worker: worker, phases: plan.scenario.phases)
        self.log = plan.scenario.http.requestLog ? RequestLogEncoder() : nil
        self.sessions = UserSessions(credentials: plan.target.users, share: share)
        self.factory = RequestFactory(plan: plan, share: share)
        self.needsToken = plan.scenario.upload?.auth == .bearer
        self.sweepInterval = Swift.max(0.001, Swift.min(0.01, plan.target.timeout / 20))
        if needsToken, let uploader = plan.target.uploader {
            let basic = Data("\(uploader.clientId):\(uploader.clientSecret)".utf8).base64EncodedString()
            tokenHeaders = factory.headerSet(["Content-Type: application/x-www-form-urlencoded", "Accept: application/json", "Authorization: Basic \(basic)"])
        }
        initiateAuthHeaders = factory.headerSet(InitiateAuth.headers)
    }

    /// Sets up the lanes and their slots (before the run: set-up time is no schedule lag).
    mutating func start(into actions: inout [WorkerAction]) {
        let scenario = plan.scenario
        let replayShare = plan.replay.map(replayShare)
        for type in scenario.requestTypes {
            guard let schedule = scenario.schedule(for: type) else { continue }
            let iterator = schedule.isOpenLoop && replayShare == nil
                ? ArrivalIterator(schedule: schedule, runDuration: duration, seed: scenario.seed &+ UInt64(type.index)) : nil
            var connections = scenario.http.connections
            var closedLoop = false
            if case let .max(n) = schedule { (connections, closedLoop) = (n, true) }
            let initial = share.connections(connections, closedLoop: closedLoop)
            let auto = scenario.http.autoConnections && iterator != nil
            var lane = Lane(
                type: type, index: lanes.count, iterator: iterator, replay: replayShare.map { $0[type] ?? [] },
                cap: auto ? share.connections(scenario.http.connectionCap) : initial,
                generator: SeededGenerator(seed: scenario.seed, stream: "\(type.rawValue)-\(share.streamName)"))
            for _ in 0..<(auto ? Swift.min(initial, lane.cap) : initial) { lane.adopt(openSlot(lane: lane.index, into: &actions)) }
            lane.advance(share)
            lanes.append(lane)
        }
        if !sessions.isEmpty || needsToken {
            for _ in 0..<Swift.max(1, Swift.min(sessions.count, 8)) { loginFree.append(openSlot(lane: -1, into: &actions)) }
        }
    }

    mutating func openSlot(lane: Int, into actions: inout [WorkerAction]) -> Int {
        jobs.append(.idle)
        slotLane.append(lane)
        actions.append(.open(slot: jobs.count - 1, timedByLibcurl: lane < 0))
        return jobs.count - 1
    }

    /// This worker's items of a replay, by type.
    private func replayShare(_ items: [ReplayItem]) -> [RequestType: [ReplayItem]] {
        var byType: [RequestType: [ReplayItem]] = [:]
        for (index, item) in items.enumerated() where share.takesReplayItem(index, credential: item.user.flatMap { plan.credential(for: $0) }) {
            byType[item.type, default: []].append(item)
        }
        return byType
    }

    func phase(at t: Double) -> Int {
        for (index, end) in phaseEnds.enumerated() where t < end { return index }
        return Swift.max(0, phaseEnds.count - 1)
    }

    // MARK: the loop's turn

    /// One turn of the loop at `t`: timeouts, the interval boundary, the stop, and whatever is due.
    mutating func tick(at t: Double, stopRequested: Bool, into actions: inout [WorkerAction]) {
        if busy > 0, t >= nextSweep {
            sweepTimeouts(at: t, into: &actions)
            nextSweep = t + sweepInterval
        }
        if t >= nextBoundary {
            if t >= dnsExpiry, !resolving {
                resolving = true
                actions.append(.resolve)
            }
            actions.append(.post(recorder.takeInterval(nextIndex: Int(nextBoundary)), log: log?.take() ?? []))
            nextBoundary += 1
        }
        if stoppedAt == nil, stopRequested { stoppedAt = t }
        let stopping = stopRequested || t >= duration
        // At the schedule's end, arrivals already due are still sent (late, and measured from their
        // intended time) during the grace period; a stop request sends nothing more.
        let backlog = !stopRequested && lanes.contains { $0.hasBacklog }
        if stopping {
            if stopDeadline == .infinity { stopDeadline = t + Swift.min(plan.target.timeout, 5) }
            if busy == 0 && !backlog {
                finished = true
            } else if t >= stopDeadline {
                abandonInFlight(at: t, into: &actions)
                finished = true
            } else if backlog {
                for lane in lanes.indices { issue(lane, at: t, stopRequested: stopRequested, into: &actions) }
            }
        } else if freedSinceIssue {
            freedSinceIssue = false
            for lane in lanes.indices { issue(lane, at: t, stopRequested: false, into: &actions) }
            startLogins(at: t, into: &actions)
            pollProbes(at: t, into: &actions)
        } else {
            for lane in lanes.indices where lanes[lane].nextTime.map({ $0 <= t }) ?? false {
                issue(lane, at: t, stopRequested: false, into: &actions)
            }
            if !prober.isEmpty { pollProbes(at: t, into: &actions) }
        }
    }

    /// When the loop must look again at the latest, if no I/O wakes it first.
    func wake(at t: Double, stopRequested: Bool) -> Double {
        let stopping = stopRequested || t >= duration
        var wake = Swift.min(nextBoundary, stopping ? stopDeadline : duration)
        if !stopping {
            for lane in lanes where lane.canSend {
                if let next = lane.nextTime { wake = Swift.min(wake, next) }
            }
            if let poll = prober.nextPoll { wake = Swift.min(wake, poll) }
        }
        if busy > 0 { wake = Swift.min(wake, nextSweep) }
        return wake
    }

    /// The run is over: arrivals that fell due but were never taken still count as scheduled, and the
    /// last interval goes out.
    mutating func finish(into actions: inout [WorkerAction]) {
        let end = Swift.min(stoppedAt ?? duration, duration)
        for index in lanes.indices where !lanes[index].closedLoop {
            while let due = lanes[index].takeDue(at: end, share), due.intended < end {
                recorder.countArrival(lanes[index].type, phase: phase(at: due.intended))
            }
        }
        actions.append(.post(recorder.takeInterval(nextIndex: Int(nextBoundary)), log: log?.take() ?? []))
    }

    // MARK: slots

    /// Marks `slot` on the wire with `job`, and asks for the send.
    mutating func dispatch(_ request: OutgoingRequest, on slot: Int, job: Job, into actions: inout [WorkerAction]) {
        jobs[slot] = job
        busy += 1
        actions.append(.send(slot: slot, request))
    }

    /// A slot is off the wire at `t` (answered, failed or cancelled): back to its lane.
    mutating func release(_ slot: Int, at t: Double) {
        if case .idle = jobs[slot] { return }
        jobs[slot] = .idle
        busy -= 1
        freedSinceIssue = true
        let lane = slotLane[slot]
        if lane >= 0 { lanes[lane].release(slot, at: t) } else { loginFree.append(slot) }
    }
}
