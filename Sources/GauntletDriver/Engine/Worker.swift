import GauntletCore

/// One load-generator thread: its state machine (lanes, users, schedule share, recorder) and its
/// libcurl multi loop, which carries the machine's actions out. Nothing here is shared with other
/// workers; figures leave once a second through `link`.
///
/// Confined to its thread once `run()` starts (hence `@unchecked Sendable`: it is handed over, not shared).
final class Worker: @unchecked Sendable {
    let id: Int
    let link: WorkerLink
    let stop: StopSignal
    private var machine: WorkerStateMachine
    private let loop: CurlMultiLoop
    private let repinner: DNSRepinner?
    /// The machine's pending actions; one buffer, reused every turn (no allocation per request).
    private var actions: [WorkerAction] = []
    /// Monotonic time of the run's start (shared by every worker), set when the run starts.
    private var origin: Double
    /// Where the users' sessions come from and go back to between runs (a capacity search's steps).
    private let shelf: SessionShelf?

    init(id: Int, plan: RunPlan, link: WorkerLink, stop: StopSignal, shelf: SessionShelf? = nil) throws(TransportError) {
        self.id = id
        self.link = link
        self.stop = stop
        self.shelf = shelf
        self.origin = Clock.now()
        let target = plan.target
        let scenario = plan.scenario
        machine = WorkerStateMachine(plan: plan, worker: id)
        // Set-up takes milliseconds, so the origin taken here is the run's to well within the 5 s margin
        // a token is refreshed ahead of its expiry.
        if let shelf { machine.sessions.adopt(shelf.sessions(), origin: origin) }
        let perLane = scenario.http.autoConnections ? scenario.http.connectionCap : scenario.http.connections
        loop = try CurlMultiLoop(
            settings: TransportSettings(timeout: target.timeout, http2: target.http2, caFile: target.caFile, insecure: target.insecure, resolve: nil),
            maxConnects: max(8, perLane * scenario.requestTypes.count + 8))
        // The first lookups run before the run starts (set-up time is no schedule lag), and are pinned
        // before any handle exists; later ones run off the loop.
        let names = TargetNames(target)
        if let names {
            let round = try names.resolve(replacing: false)
            loop.pin(round.pins)
            machine.resolved(lookups: round.lookups, ttl: round.ttl, at: 0)
        } else if !target.pins.isEmpty {
            loop.pin(target.pins)
        }
        repinner = names.map(DNSRepinner.init)
        machine.start(into: &actions)
        for action in actions {
            guard case .open(let slot, let timed) = action else { continue }
            try loop.open(slot: slot, timedByLibcurl: timed)
        }
        actions.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    private func now() -> Double { Clock.now() - origin }

    /// The worker's loop, on its own thread, until the schedule ends or a stop is requested.
    /// `origin` is the run's start, taken after every worker is set up so set-up time is not schedule lag.
    func run(origin: Double) {
        self.origin = origin
        let startTimes = ThreadTimes.current()
        defer {
            if let startTimes, let endTimes = ThreadTimes.current() { link.times.withLock { $0 = (startTimes, endTimes) } }
            link.finished.store(true, ordering: .releasing)
        }
        while true {
            let t = now()
            if let outcome = repinner?.take() { repinned(outcome, at: t) }
            machine.tick(at: t, stopRequested: stop.isRequested, into: &actions)
            carryOut(at: t)
            if machine.finished { break }
            link.inFlight.store(machine.busy, ordering: .relaxed)
            do {
                try turn()
            } catch {
                noteFailure("worker \(id): \(error.description)")
                stop.request("worker \(id)'s event loop failed: \(error.description)")
            }
        }
        machine.finish(into: &actions)
        carryOut(at: now())
        shelf?.put(machine.sessions.carried(origin: origin), users: machine.sessions.usernames)
        link.inFlight.store(0, ordering: .relaxed)
        repinner?.finish()
    }

    /// Moves the wire along and hands finished exchanges to the machine; when none finished, sleeps
    /// until the next intended send, the next interval boundary, or I/O.
    private func turn() throws(TransportError) {
        try loop.perform()
        // One clock reading for the batch: every response in it was read by the same curl_multi_perform.
        var finishedAt = -1.0
        try loop.drain { slot, response in
            if finishedAt < 0 { finishedAt = now() }
            machine.completed(slot: slot, response, at: finishedAt, into: &actions)
        }
        guard finishedAt < 0 else {
            carryOut(at: finishedAt)
            return
        }
        let wake = machine.wake(at: now(), stopRequested: stop.isRequested)
        try loop.poll(milliseconds: max(0, min(100, Int(((wake - now()) * 1000).rounded(.up)))))
    }

    /// Carries out the machine's actions (a send libcurl refuses goes back to the machine as a failure).
    private func carryOut(at t: Double) {
        var index = 0
        while index < actions.count {
            let action = actions[index]
            index += 1
            switch action {
            case .open(let slot, let timed):
                do { try loop.open(slot: slot, timedByLibcurl: timed) } catch { noteFailure("opening a connection: \(error.description)") }
            case .send(let slot, let request):
                do { try loop.send(slot: slot, request, headers: machine.factory.headers) } catch {
                    machine.sendFailed(slot: slot, error, at: t, into: &actions)
                }
            case .cancel(let slot):
                do { try loop.cancel(slot: slot) } catch { noteFailure(error.description) }
            case .post(let record, let log):
                link.post(record)
                link.postLog(log)
            case .resolve:
                repinner?.start()
            case .fail(let reason):
                noteFailure(reason)
            }
        }
        actions.removeAll(keepingCapacity: true)
    }

    private func repinned(_ outcome: DNSRepinner.Outcome, at t: Double) {
        switch outcome {
        case .resolved(let round):
            loop.pin(round.pins)
            machine.resolved(lookups: round.lookups, ttl: round.ttl, at: t)
        case .failed(let reason):
            machine.resolveFailed(reason, at: t, into: &actions)
        }
    }

    private func noteFailure(_ message: String) {
        link.failure.withLock { if $0 == nil { $0 = message } }
    }
}
