#if canImport(Glibc)
import Glibc
#endif
import CCurl
import Foundation
import GauntletCore

/// One load-generator thread: its own libcurl multi handle, easy handles, virtual users, schedule share
/// and recorder. Nothing here is shared with other workers; figures leave once a second through `link`.
///
/// Confined to its thread once `run()` starts (hence `@unchecked Sendable`: it is handed over, not shared).
final class Worker: @unchecked Sendable {
    final class Lane {
        let type: RequestType
        /// The lane's place in `lanes`.
        let index: Int
        var iterator: ArrivalIterator?
        var nextTime: Double?
        var arrival = -1
        var free: [Transfer] = []
        var ready: [PlannedRequest] = []
        var readyHead = 0
        var generator: SeededGenerator
        /// A replay lane's share of the stream, in time order (nil: the scenario's schedule drives it).
        var replay: [ReplayItem]?
        var replayHead = 0

        /// Sends back to back until the end (a `max` schedule), rather than at intended times.
        var closedLoop: Bool { iterator == nil && replay == nil }

        init(type: RequestType, index: Int, iterator: ArrivalIterator?, generator: SeededGenerator) {
            self.type = type
            self.index = index
            self.iterator = iterator
            self.generator = generator
        }
    }

    let id: Int
    let plan: RunPlan
    let link: WorkerLink
    let stop: StopSignal
    /// Monotonic time of the run's start (shared by every worker), set when the run starts.
    private var origin = 0.0
    private let oracle = RoutingOracle()
    private let phaseEnds: [Double]
    private let duration: Double
    private var recorder: WorkerRecorder
    private var multi: UnsafeMutableRawPointer?
    private var lanes: [Lane] = []
    private var transfers: [Transfer] = []
    private var loginFree: [Transfer] = []
    private var loginQueue: [Int] = []
    private var users: [VirtualUser] = []
    private var usersByRole: [Role: [Int]] = [:]
    private var urlHandles: [String: OpaquePointer] = [:]
    private var lists: [UnsafeMutablePointer<curl_slist>] = []
    private var uploads: [[UploadPayload]] = []
    private var uploadHeaders: [String: UnsafeMutablePointer<curl_slist>] = [:]
    private var formHeaders: UnsafeMutablePointer<curl_slist>?
    private var pageHeaders: UnsafeMutablePointer<curl_slist>?
    private var apiHeaders: UnsafeMutablePointer<curl_slist>?
    private var genericHeaders: [UnsafeMutablePointer<curl_slist>?] = []
    /// Pre-parsed URLs of the scenario's `http` requests, by index (nil: libcurl could not parse it).
    private var genericURLs: [OpaquePointer?] = []
    private var genericBodies: [[UInt8]?] = []
    private var busy = 0
    /// Upload `client_credentials` token, its expiry, and uploads waiting for it.
    private var uploadToken: String?
    private var uploadTokenExpiry = 0.0
    private var fetchingToken = false
    private var tokenWaiters: [PlannedRequest] = []
    private var tokenHeaders: UnsafeMutablePointer<curl_slist>?
    private var initiateAuthHeaders: UnsafeMutablePointer<curl_slist>?
    private var needsToken: Bool { plan.scenario.upload?.auth == .bearer }
    private var settings: TransportSettings
    private var dnsExpiry = Double.infinity
    /// Freshness probes by id; polled through the login lane with a logged-in user's session.
    private var probes: [Int: FreshnessProbe] = [:]
    private var probeSequence = 0
    private var freshnessGenerator: SeededGenerator
    static let probeInterval = 0.05
    static let probeGiveUp = 30.0
    /// `requests.jsonl` lines not yet handed over (only when the scenario asks for a request log).
    private var requestLog: [UInt8] = []
    private let logging: Bool

    init(id: Int, plan: RunPlan, link: WorkerLink, stop: StopSignal) throws(TransportError) {
        self.id = id
        self.plan = plan
        self.link = link
        self.stop = stop
        self.origin = Clock.now()
        self.phaseEnds = plan.phaseEnds
        self.duration = plan.scenario.duration
        self.recorder = WorkerRecorder(worker: id, phases: plan.scenario.phases)
        self.logging = plan.scenario.http.requestLog
        self.freshnessGenerator = SeededGenerator(seed: plan.scenario.seed, stream: "freshness-\(id)")
        let target = plan.target
        self.settings = TransportSettings(
            timeout: target.timeout, http2: target.http2, caFile: target.caFile, insecure: target.insecure, resolve: nil)
        _ = Curl.initialised
        guard let multi = curl_multi_init() else { throw TransportError(category: .other, code: -1, message: "curl_multi_init failed") }
        self.multi = multi
        try setUp()
    }

    deinit {
        for transfer in transfers where multi != nil { curl_multi_remove_handle(multi, transfer.handle) }
        transfers.removeAll()
        lanes.removeAll()
        loginFree.removeAll()
        if let multi { curl_multi_cleanup(multi) }
        for handle in urlHandles.values { curl_url_cleanup(handle) }
        for list in lists { curl_slist_free_all(list) }
    }

    private func keep(_ list: UnsafeMutablePointer<curl_slist>?) -> UnsafeMutablePointer<curl_slist>? {
        if let list { lists.append(list) }
        return list
    }

    /// A header list every request of the worker sends, kept for the run, with `User-Agent: gauntlet/<version>`
    /// unless the headers name their own. The User-Agent rides in the list rather than CURLOPT_USERAGENT,
    /// which makes libcurl aprintf the header anew for every request (measured in a plain-C loop: about
    /// 2,000 more instructions per request than the same header in the list, ~4% of libcurl's cost).
    private func headerList(_ headers: [String]) -> UnsafeMutablePointer<curl_slist>? {
        let named = headers.contains { $0.lowercased().hasPrefix("user-agent:") }
        return keep(Curl.list(named ? headers : headers + [Self.userAgentHeader]))
    }

    static let userAgentHeader = "User-Agent: gauntlet/\(DriverInfo.version)"

    private func setUp() throws(TransportError) {
        let scenario = plan.scenario
        let workers = plan.workers
        try resolveNames(initial: true)

        // This worker's share of the shard's users: the shard's i-th user belongs to worker i % workers.
        for (ordinal, index) in plan.shard.ownedUsers(roles: plan.target.users.map(\.role)).enumerated() where ordinal % workers == id {
            let credential = plan.target.users[index]
            usersByRole[credential.role, default: []].append(users.count)
            users.append(VirtualUser(credential: credential))
        }

        pageHeaders = headerList(["Accept: text/html,application/xhtml+xml"])
        apiHeaders = headerList(["Accept: application/json", "Content-Type: application/json"])
        formHeaders = headerList(["Content-Type: application/x-www-form-urlencoded", "Accept: text/html"])
        if let http = scenario.httpRequests {
            genericHeaders = http.requests.map { request in headerList(request.headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }) }
            genericURLs = http.requests.map { urlHandle($0.url) }
            genericBodies = http.requests.map { $0.body.map { Array($0.utf8) } }
        }
        if let upload = scenario.upload {
            var generator = SeededGenerator(seed: scenario.seed, stream: "upload-bodies")
            uploads = upload.batches.map { batch in
                (0..<4).map { UploadPayload.make(batch: batch, format: upload.format, encoding: upload.encoding, generator: &generator, variant: $0) }
            }
        }

        try curlM(gauntlet_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(8, scenario.http.connections * scenario.requestTypes.count + 8)))
        let replayShare = plan.replay.map(replayShare)
        for type in scenario.requestTypes {
            guard let schedule = scenario.schedule(for: type) else { continue }
            let laneIndex = lanes.count
            let iterator: ArrivalIterator? = schedule.isOpenLoop && replayShare == nil ? ArrivalIterator(schedule: schedule, runDuration: duration, seed: scenario.seed &+ UInt64(type.index)) : nil
            let lane = Lane(type: type, index: laneIndex, iterator: iterator, generator: SeededGenerator(seed: scenario.seed, stream: "\(type.rawValue)-worker-\(id)"))
            lane.replay = replayShare.map { $0[type] ?? [] }
            var connections = scenario.http.connections
            if case let .max(n) = schedule { connections = plan.shard.share(of: n) }
            let share = max(1, connections / workers + (id < connections % workers ? 1 : 0))
            for _ in 0..<share {
                let transfer = try Transfer(lane: laneIndex, settings: settings)
                transfers.append(transfer)
                lane.free.append(transfer)
            }
            advance(lane)
            lanes.append(lane)
        }
        if needsToken, let uploader = plan.target.uploader {
            let basic = Data("\(uploader.clientId):\(uploader.clientSecret)".utf8).base64EncodedString()
            tokenHeaders = headerList(["Content-Type: application/x-www-form-urlencoded", "Accept: application/json", "Authorization: Basic \(basic)"])
        }
        if !users.isEmpty || needsToken {
            for _ in 0..<max(1, min(users.count, 8)) {
                let transfer = try Transfer(lane: -1, settings: settings)
                transfers.append(transfer)
                loginFree.append(transfer)
            }
        }
    }

    private func curlM(_ code: CURLMcode) throws(TransportError) {
        try Curl.check(code, "configuring the multi handle")
    }

    @inline(__always)
    private func now() -> Double { Clock.now() - origin }

    private func phase(at t: Double) -> Int {
        for (index, end) in phaseEnds.enumerated() where t < end { return index }
        return max(0, phaseEnds.count - 1)
    }

    // MARK: DNS

    /// Resolves the target's names through its DNS server and pins the answers (CURLOPT_RESOLVE), again
    /// whenever the shortest TTL has run out.
    private func resolveNames(initial: Bool) throws(TransportError) {
        let target = plan.target
        var pins: [String] = []
        if let server = target.dnsServer {
            let client = DNSClient(server: server, port: target.dnsPort)
            var hosts: [(String, Int)] = []
            for base in [target.lb, target.idp, target.upload].compactMap({ $0 }) {
                guard let url = WebURL(base) else { continue }
                let port = url.origin.split(separator: ":").last.flatMap { Int($0) } ?? (url.origin.hasPrefix("https") ? 443 : 80)
                if !hosts.contains(where: { $0.0 == url.host && $0.1 == port }), !url.host.allSatisfy({ $0.isNumber || $0 == "." }) {
                    hosts.append((url.host, port))
                }
            }
            var expiry = Double.infinity
            for (host, port) in hosts {
                let answer = try client.resolve(host)
                recorder.recordAuth(.dns, seconds: answer.elapsed, phase: phase(at: now()))
                if !initial { pins.append("-\(host):\(port)") }
                pins.append("\(host):\(port):\(answer.address)")
                expiry = min(expiry, now() + Double(max(answer.ttl, 1)))
            }
            dnsExpiry = expiry
        } else if initial {
            pins = target.pins
        }
        guard !pins.isEmpty else { return }
        let list = keep(Curl.list(pins))
        settings.resolve = list
        for transfer in transfers where !initial {
            transfer.pendingResolve = list
        }
    }

    // MARK: the loop

    /// The worker's loop, on its own thread, until the schedule ends or a stop is requested.
    /// `origin` is the run's start, taken after every worker is set up so set-up time is not schedule lag.
    func run(origin: Double) {
        self.origin = origin
        defer { link.finished.store(true, ordering: .releasing) }
        var nextBoundary = max(1.0, (now() + 1).rounded(.down))
        var stopDeadline = Double.infinity
        var stoppedAt: Double?
        var completedSinceIssue = true
        let sweepInterval = max(0.001, min(0.01, plan.target.timeout / 20))
        var nextSweep = 0.0
        while true {
            let t = now()
            if busy > 0, t >= nextSweep {
                // Freed transfers are sent again like completed ones (a closed-loop lane has no other trigger).
                if sweepTimeouts(at: t) { completedSinceIssue = true }
                nextSweep = t + sweepInterval
            }
            if t >= nextBoundary {
                if t >= dnsExpiry { try? resolveNames(initial: false) }
                link.post(recorder.takeInterval(nextIndex: Int(nextBoundary)))
                if logging {
                    link.postLog(requestLog)
                    requestLog.removeAll(keepingCapacity: true)
                }
                nextBoundary += 1
            }
            if stoppedAt == nil, stop.isRequested { stoppedAt = t }
            let stopping = stop.isRequested || t >= duration
            // At the schedule's end, arrivals already due are still sent (late, and measured from their
            // intended time) during the grace period; a stop request sends nothing more.
            let backlog = !stop.isRequested && lanes.contains { $0.nextTime != nil || $0.readyHead < $0.ready.count }
            if stopping {
                if stopDeadline == .infinity { stopDeadline = t + min(plan.target.timeout, 5) }
                if busy == 0 && !backlog { break }
                if t >= stopDeadline {
                    abandonInFlight(at: t)
                    break
                }
                if backlog { for lane in lanes { issue(lane, at: t) } }
            } else if completedSinceIssue {
                for lane in lanes { issue(lane, at: t) }
                startLogins(at: t)
                pollProbes(at: t)
            } else {
                for lane in lanes where lane.nextTime.map({ $0 <= t }) ?? false { issue(lane, at: t) }
                if !probes.isEmpty { pollProbes(at: t) }
            }
            link.inFlight.store(busy, ordering: .relaxed)
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            completedSinceIssue = drainCompletions()
            if completedSinceIssue { continue }
            // Sleep until the next intended send, the next interval boundary, or I/O.
            var wake = min(nextBoundary, stopping ? stopDeadline : duration)
            if !stopping {
                for lane in lanes where !lane.free.isEmpty {
                    if let next = lane.nextTime { wake = min(wake, next) }
                }
                for probe in probes.values where !probe.inFlight { wake = min(wake, probe.nextPoll) }
            }
            if busy > 0 { wake = min(wake, nextSweep) }
            let timeout = max(0, min(100, Int(((wake - now()) * 1000).rounded(.up))))
            curl_multi_poll(multi, nil, 0, Int32(timeout), nil)
        }
        countUnsentArrivals(before: min(stoppedAt ?? duration, duration))
        link.inFlight.store(0, ordering: .relaxed)
        link.post(recorder.takeInterval(nextIndex: Int(nextBoundary)))
        if logging { link.postLog(requestLog) }
    }

    /// Arrivals that fell due before `end` (the schedule's end, or the stop request) but were never taken
    /// — a generator that fell behind, or a stop with a backlog — still count as scheduled, so the
    /// summary holds what was sent against all that was asked for.
    private func countUnsentArrivals(before end: Double) {
        for lane in lanes where !lane.closedLoop {
            while let next = lane.nextTime, next < end {
                recorder.countArrival(lane.type, phase: phase(at: next))
                if lane.replay != nil { lane.replayHead += 1 }
                advance(lane)
            }
        }
    }

    /// This worker's items of a replay, by type: a logged-in user's items go to the worker that owns
    /// the user's credential (so a recorded session stays on one worker), the others in turn.
    private func replayShare(_ items: [ReplayItem]) -> [RequestType: [ReplayItem]] {
        var share: [RequestType: [ReplayItem]] = [:]
        for (index, item) in items.enumerated() {
            let owner = item.user.flatMap { plan.credential(for: $0) } ?? index
            if owner % plan.workers == id { share[item.type, default: []].append(item) }
        }
        return share
    }

    /// Pulls this worker's next arrival (every `workers`-th of its shard's, or its replay share's next).
    private func advance(_ lane: Lane) {
        if let replay = lane.replay {
            lane.nextTime = lane.replayHead < replay.count ? replay[lane.replayHead].intended : nil
            return
        }
        guard lane.iterator != nil else {
            lane.nextTime = nil
            return
        }
        while let t = lane.iterator!.next() {
            lane.arrival += 1
            if let local = plan.shard.localIndex(ofArrival: lane.arrival), local % plan.workers == id {
                lane.nextTime = t
                return
            }
        }
        lane.nextTime = nil
    }

    private func issue(_ lane: Lane, at t: Double) {
        while let transfer = lane.free.last {
            if lane.readyHead < lane.ready.count {
                let request = lane.ready[lane.readyHead]
                lane.readyHead += 1
                if lane.readyHead == lane.ready.count {
                    lane.ready.removeAll(keepingCapacity: true)
                    lane.readyHead = 0
                }
                lane.free.removeLast()
                send(request, on: transfer, at: t)
                continue
            }
            let intended: Double
            var item: ReplayItem?
            if lane.closedLoop {
                // Closed loop: back to back until the end, nothing after it.
                guard t < duration, !stop.isRequested else { return }
                intended = t
            } else if let next = lane.nextTime, next <= t {
                intended = next
                if let replay = lane.replay {
                    item = replay[lane.replayHead]
                    lane.replayHead += 1
                }
                advance(lane)
            } else {
                return
            }
            let phase = phase(at: intended)
            if !lane.closedLoop { recorder.countArrival(lane.type, phase: phase) }
            guard let request = item.map({ makeRequest(lane, replaying: $0, phase: phase) }) ?? makeRequest(lane, intended: intended, phase: phase) else {
                // Nothing can be sent for this lane (e.g. no user of the audience on this worker); a
                // closed-loop lane would otherwise spin here.
                if lane.closedLoop { return }
                continue
            }
            if request.type == .upload, needsToken, request.credentialValid {
                guard let token = uploadToken, t < uploadTokenExpiry else {
                    tokenWaiters.append(request)
                    fetchToken(refresh: uploadToken != nil, at: t)
                    if lane.closedLoop { return }
                    continue
                }
                if uploadTokenExpiry - t < 30 { fetchToken(refresh: true, at: t) }
                lane.free.removeLast()
                send(request, on: transfer, at: t, bearer: token)
                continue
            }
            if request.user >= 0 {
                if case .active = users[request.user].state, users[request.user].accessToken != nil, t >= users[request.user].tokenExpiry - 5 {
                    users[request.user].state = .loggedOut   // the access token is about to expire: refresh first
                }
                guard case .active(let cookie, _) = users[request.user].state else {
                    park(request, at: t)
                    // Closed loop: wait for the login rather than park requests without end.
                    if lane.closedLoop { return }
                    continue
                }
                lane.free.removeLast()
                send(request, on: transfer, at: t, cookie: cookie, bearer: users[request.user].accessToken)
                continue
            }
            lane.free.removeLast()
            send(request, on: transfer, at: t)
        }
    }

    private func send(_ request: PlannedRequest, on transfer: Transfer, at t: Double, cookie: String? = nil, bearer: String? = nil) {
        var cookie = cookie
        var bearer = bearer
        if bearer == nil, request.type == .upload, needsToken, request.credentialValid { bearer = uploadToken }
        if request.user >= 0, cookie == nil, case .active(let current, _) = users[request.user].state {
            cookie = current
            if bearer == nil { bearer = users[request.user].accessToken }
        }
        let wire = WireRequest(
            kind: request.kind, method: request.method, urlHandle: request.urlHandle ?? urlHandle(request.url), url: request.url,
            headers: request.headers, cookie: cookie, bearer: bearer, body: request.body,
            captureHeaders: request.user >= 0, captureBody: false)
        do {
            try transfer.prepare(wire)
        } catch {
            record(request, outcome: .error(error.category), status: 0, sent: t, finished: t, transfer: nil)
            releaseRequestTransfer(transfer)
            return
        }
        transfer.job = .request(request, sent: t)
        curl_multi_add_handle(multi, transfer.handle)
        busy += 1
    }

    private func urlHandle(_ url: String) -> OpaquePointer? {
        if let handle = urlHandles[url] { return handle }
        guard let handle = curl_url() else { return nil }
        guard curl_url_set(handle, CURLUPART_URL, url, 0) == CURLUE_OK else {
            curl_url_cleanup(handle)
            return nil
        }
        urlHandles[url] = handle
        return handle
    }

    private func releaseRequestTransfer(_ transfer: Transfer) {
        transfer.job = .idle
        if transfer.lane >= 0 { lanes[transfer.lane].free.append(transfer) } else { loginFree.append(transfer) }
    }

    // MARK: completions

    /// Handles every finished transfer; true when any finished.
    private func drainCompletions() -> Bool {
        var any = false
        var left: Int32 = 0
        // One clock reading for the batch: every response in it was read by the same curl_multi_perform.
        var t = -1.0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            var pointer: UnsafeMutableRawPointer?
            _ = gauntlet_easy_getinfo_ptr(handle, CURLINFO_PRIVATE, &pointer)
            curl_multi_remove_handle(multi, handle)
            busy -= 1
            any = true
            guard let pointer else { continue }
            if t < 0 { t = now() }
            complete(Unmanaged<Transfer>.fromOpaque(pointer).takeUnretainedValue(), code: code, at: t)
        }
        return any
    }

    private func complete(_ transfer: Transfer, code: CURLcode, at t: Double) {
        switch transfer.job {
        case .idle:
            return
        case .request(let request, let sent):
            guard code == CURLE_OK else {
                record(request, outcome: .error(Curl.category(of: code)), status: 0, sent: sent, finished: t, transfer: transfer)
                releaseRequestTransfer(transfer)
                return
            }
            let status = transfer.status
            if request.user >= 0, let lb = plan.target.lb.flatMap(WebURL.init) {
                for cookie in transfer.setCookies { users[request.user].jar.store(cookie, host: lb.host) }
                if !transfer.setCookies.isEmpty, case .active(_, let since) = users[request.user].state {
                    users[request.user].state = .active(cookie: users[request.user].jar.header(for: lb.host), since: since)
                }
            }
            let facts = OracleRequest(
                type: request.type, method: request.method, path: request.path, role: request.role,
                credentialValid: request.credentialValid, expectStatus: request.expectStatus)
            let response = OracleResponse(status: status, servedBy: transfer.servedBy, location: transfer.location)
            let verdict = oracle.classify(facts, response)
            let sentToLogin = (300..<400).contains(status) && (transfer.location?.contains(oracle.loginPathMarker) ?? false)
            if case .misroute(.authorizedDenied) = verdict, sentToLogin || status == 401, transfer.servedBy == nil,
               request.user >= 0, !request.retried {
                // The session ended (expiry, sign-out): the LB sends a browser to login, or answers an API
                // call 401. Log in again and re-send once, as the UI would; a second refusal is a misroute.
                // A refusal a backend sent (it carries X-Served-By) is no ended session but a request that
                // reached the wrong place: it stays a misroute, or retrying would hide injected misroutes.
                var again = request
                again.retried = true
                users[request.user].state = .loggedOut
                recorder.countLogin(succeeded: true, refresh: true)
                releaseRequestTransfer(transfer)
                park(again, at: t)
                return
            }
            let outcome: RequestSample.Outcome
            switch verdict {
            case .pass: outcome = .ok
            case .rejected(let reason): outcome = .rejected(reason)
            case .failure(let category): outcome = .error(category)
            case .misroute(let kind):
                outcome = .misroute(kind)
                recorder.recordExample(MisrouteExample(
                    kind: kind, type: request.type, method: request.method, path: request.path, role: request.role?.rawValue,
                    expected: oracle.expectation(for: facts).description, status: status, servedBy: transfer.servedBy,
                    location: transfer.location, at: t))
            }
            record(request, outcome: outcome, status: status, sent: sent, finished: t, transfer: transfer)
            releaseRequestTransfer(transfer)
            if let token = request.freshnessToken, (200..<300).contains(status) {
                probeSequence += 1
                probes[probeSequence] = FreshnessProbe(token: token, acknowledged: t, nextPoll: t + Self.probeInterval)
            }
        case .probe(let id, _):
            let returned = code == CURLE_OK && transfer.status == 200 ? Self.returnedCount(in: transfer.body) : nil
            releaseRequestTransfer(transfer)
            guard var probe = probes[id] else { return }
            probe.inFlight = false
            if let returned, returned > 0 {
                recorder.recordFreshness(seconds: t - probe.acknowledged)
                probes[id] = nil
            } else if t - probe.acknowledged > Self.probeGiveUp {
                noteFailure("an acknowledged upload (\(probe.token)) was not found by Analytics search within \(Int(Self.probeGiveUp))s")
                probes[id] = nil
            } else {
                probe.nextPoll = t + Self.probeInterval
                probes[id] = probe
            }
        case .token(let refresh, let sent):
            recorder.recordAuth(refresh ? .refresh : .token, seconds: t - sent, phase: phase(at: t))
            fetchingToken = false
            let status = code == CURLE_OK ? transfer.status : 0
            let token = status == 200 ? Self.accessToken(in: transfer.body) : nil
            releaseRequestTransfer(transfer)
            guard let token else {
                let reason = code != CURLE_OK ? Curl.error(for: code, "token").description : "the token endpoint answered \(status)"
                recorder.countLogin(succeeded: false)
                noteFailure("client_credentials token for uploads failed: \(reason)")
                for request in tokenWaiters { record(request, outcome: .error(.auth), status: 0, sent: t, finished: t, transfer: nil) }
                tokenWaiters.removeAll()
                return
            }
            if refresh { recorder.countLogin(succeeded: true, refresh: true) }
            uploadToken = token.value
            uploadTokenExpiry = t + token.expiresIn
            for request in tokenWaiters { lanes[request.lane].ready.append(request) }
            tokenWaiters.removeAll()
        case .login(let user, let step, let sent):
            recorder.recordAuth(step, seconds: t - sent, phase: phase(at: t))
            if step == .idpResponse, transfer.lbAuth >= 0 { recorder.recordAuth(.token, seconds: transfer.lbAuth, phase: phase(at: t)) }
            if case .authenticating(let started) = users[user].state {
                let result: Result<InitiateAuth.Tokens, InitiateAuthError> = code == CURLE_OK
                    ? InitiateAuth.parse(status: transfer.status, body: transfer.body)
                    : .failure(InitiateAuthError(type: Curl.category(of: code).rawValue, message: Curl.error(for: code, "InitiateAuth").description))
                releaseRequestTransfer(transfer)
                switch result {
                case .success(let tokens):
                    recorder.recordAuth(.login, seconds: t - started, phase: phase(at: t))
                    recorder.countLogin(succeeded: true, refresh: step == .refresh)
                    users[user].accessToken = tokens.accessToken
                    if let refresh = tokens.refreshToken { users[user].refreshToken = refresh }
                    users[user].tokenExpiry = t + tokens.expiresIn
                    users[user].state = .active(cookie: nil, since: t)
                    users[user].sessions += 1
                    let pending = users[user].pending
                    users[user].pending.removeAll()
                    for request in pending { lanes[request.lane].ready.append(request) }
                case .failure(let error):
                    if step == .refresh {
                        // The refresh token no longer works: log in with the password.
                        users[user].refreshToken = nil
                        users[user].state = .loggedOut
                        loginQueue.append(user)
                        startLogins(at: t)
                    } else {
                        loginFailed(user, reason: error.description, category: .auth, at: t)
                    }
                }
                return
            }
            guard case .loggingIn(var login, let started) = users[user].state else {
                releaseRequestTransfer(transfer)
                return
            }
            if code != CURLE_OK {
                loginFailed(user, reason: Curl.error(for: code, step.rawValue).description, category: Curl.category(of: code), at: t)
                releaseRequestTransfer(transfer)
                return
            }
            login.receive(BrowserLogin.Response(
                status: transfer.status, location: transfer.location, setCookies: transfer.setCookies,
                body: String(decoding: transfer.body, as: UTF8.self), lbAuth: transfer.lbAuth))
            users[user].state = .loggingIn(login, started: started)
            switch login.action() {
            case .send(let next):
                sendLogin(next, user: user, on: transfer, at: t)
            case .done:
                recorder.recordAuth(.login, seconds: t - started, phase: phase(at: t))
                recorder.countLogin(succeeded: true)
                let host = login.lb.host
                users[user].jar = login.jar
                users[user].state = .active(cookie: login.jar.header(for: host), since: t)
                users[user].sessions += 1
                let pending = users[user].pending
                users[user].pending.removeAll()
                for request in pending { lanes[request.lane].ready.append(request) }
                releaseRequestTransfer(transfer)
            case .failed(let reason):
                loginFailed(user, reason: reason, category: .auth, at: t)
                releaseRequestTransfer(transfer)
            }
        }
    }

    private func record(_ request: PlannedRequest, outcome: RequestSample.Outcome, status: Int, sent: Double, finished: Double, transfer: Transfer?) {
        var sample = RequestSample(
            type: request.type, phase: request.phase, intended: request.intended, sent: sent, finished: finished,
            outcome: outcome, status: status, uploadEvents: request.uploadEvents, uploadBytes: request.body?.count ?? 0)
        if let transfer, status > 0 {
            let timings = transfer.timings()
            sample.connect = timings.connect
            sample.tls = timings.tls
            sample.ttfb = timings.ttfb
            sample.lbAuth = transfer.lbAuth
            sample.target = transfer.targetTime
        }
        recorder.record(sample)
        if logging { appendLog(request, sample) }
    }

    /// One `requests.jsonl` line (the format `replay` reads; see RequestLogRecord), written by hand.
    private func appendLog(_ request: PlannedRequest, _ sample: RequestSample) {
        func string(_ text: String?) -> String {
            guard let text else { return "null" }
            var escaped = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": escaped += "\\\""
                case "\\": escaped += "\\\\"
                case _ where scalar.value < 0x20: escaped += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
                default: escaped.unicodeScalars.append(scalar)
                }
            }
            return escaped + "\""
        }
        var error: String?
        switch sample.outcome {
        case .ok, .rejected: error = nil
        case .error(let category): error = category.rawValue
        case .misroute: error = ErrorCategory.oracle.rawValue
        }
        let answered = sample.status > 0
        let user = request.user >= 0 ? users[request.user].credential.username : nil
        let phaseName = plan.scenario.phases.indices.contains(request.phase) ? plan.scenario.phases[request.phase].name : nil
        let line = "{\"t\":\(request.intended),\"type\":\"\(request.type.rawValue)\",\"method\":\(string(request.method)),\"url\":\(string(request.url)),"
            + "\"status\":\(answered ? String(sample.status) : "null"),\"latency\":\(answered ? String(sample.finished - sample.intended) : "null"),"
            + "\"service_time\":\(answered ? String(sample.finished - sample.sent) : "null"),\"user\":\(string(user)),"
            + "\"role\":\(string(request.role?.rawValue)),\"error\":\(string(error)),\"phase\":\(string(phaseName))}\n"
        requestLog.append(contentsOf: line.utf8)
    }

    /// Requests in flight longer than the target's timeout end as timeouts. The request lanes' transfers
    /// carry no libcurl timeout (see Transfer.configure): one pass over them every few milliseconds costs
    /// less than libcurl's per-request timers, and the timeout is still kept to within the sweep interval.
    /// True when any timed out.
    private func sweepTimeouts(at t: Double) -> Bool {
        let deadline = t - plan.target.timeout
        var any = false
        for transfer in transfers where transfer.lane >= 0 {
            guard case .request(let request, let sent) = transfer.job, sent <= deadline else { continue }
            curl_multi_remove_handle(multi, transfer.handle)
            busy -= 1
            any = true
            record(request, outcome: .error(.timeout), status: 0, sent: sent, finished: t, transfer: nil)
            releaseRequestTransfer(transfer)
        }
        return any
    }

    /// Requests still in flight when the run's grace period ends count as timeouts.
    private func abandonInFlight(at t: Double) {
        for transfer in transfers {
            if case .request(let request, let sent) = transfer.job {
                record(request, outcome: .error(.timeout), status: 0, sent: sent, finished: t, transfer: nil)
            }
            if case .idle = transfer.job {} else {
                curl_multi_remove_handle(multi, transfer.handle)
                transfer.job = .idle
            }
        }
        busy = 0
    }

    // MARK: virtual users

    private func park(_ request: PlannedRequest, at t: Double) {
        let user = request.user
        users[user].pending.append(request)
        if case .loggedOut = users[user].state, !loginQueue.contains(user) {
            loginQueue.append(user)
        }
        startLogins(at: t)
    }

    private func startLogins(at t: Double) {
        while !loginQueue.isEmpty, let transfer = loginFree.last {
            let user = loginQueue.removeFirst()
            guard case .loggedOut = users[user].state else { continue }
            if plan.target.login == .initiateAuth {
                startInitiateAuth(user, on: transfer, at: t)
                continue
            }
            guard let lb = plan.target.lb, var login = BrowserLogin(lbURL: lb, username: users[user].credential.username, password: users[user].credential.password, jar: users[user].jar) else {
                loginFailed(user, reason: "the target has no load balancer URL to log in through", category: .auth, at: t)
                continue
            }
            guard case .send(let first) = login.action() else { continue }
            users[user].state = .loggingIn(login, started: t)
            loginFree.removeLast()
            sendLogin(first, user: user, on: transfer, at: t)
            _ = login
        }
    }

    /// `InitiateAuth`: with the refresh token when the user has one (a refresh), else with the password.
    private func startInitiateAuth(_ user: Int, on transfer: Transfer, at t: Double) {
        guard let idp = plan.target.idp, let client = plan.target.apiClient else {
            loginFailed(user, reason: "no identity provider or app client for InitiateAuth", category: .auth, at: t)
            return
        }
        let refresh = users[user].refreshToken
        let credential = users[user].credential
        let body = InitiateAuth.body(
            username: credential.username, password: credential.password, clientId: client.clientId,
            secret: client.clientSecret.isEmpty ? nil : client.clientSecret, refreshToken: refresh)
        if initiateAuthHeaders == nil { initiateAuthHeaders = headerList(InitiateAuth.headers) }
        let wire = WireRequest(
            kind: -1, method: "POST", urlHandle: nil, url: idp + "/", headers: initiateAuthHeaders, cookie: nil, bearer: nil,
            body: body, captureHeaders: false, captureBody: true)
        do {
            try transfer.prepare(wire)
        } catch {
            loginFailed(user, reason: error.description, category: error.category, at: t)
            return
        }
        loginFree.removeLast()
        users[user].state = .authenticating(started: t)
        transfer.job = .login(user: user, step: refresh == nil ? .initiateAuth : .refresh, sent: t)
        curl_multi_add_handle(multi, transfer.handle)
        busy += 1
    }

    private func sendLogin(_ request: BrowserLogin.Request, user: Int, on transfer: Transfer, at t: Double) {
        let wire = WireRequest(
            kind: -1, method: request.method, urlHandle: nil, url: request.url,
            headers: request.method == "POST" ? formHeaders : pageHeaders, cookie: request.cookie, bearer: nil,
            body: request.form.map { Array($0.utf8) }, captureHeaders: true, captureBody: true)
        do {
            try transfer.prepare(wire)
        } catch {
            loginFailed(user, reason: error.description, category: error.category, at: t)
            releaseRequestTransfer(transfer)
            return
        }
        transfer.job = .login(user: user, step: request.step, sent: t)
        curl_multi_add_handle(multi, transfer.handle)
        busy += 1
    }

    /// Searches for each due probe's token as a logged-in user (through the LB, as the Analytics UI does).
    private func pollProbes(at t: Double) {
        guard !probes.isEmpty, let lb = plan.target.lb else { return }
        guard let user = users.firstIndex(where: { if case .active = $0.state { return true } else { return false } }) else {
            // Log someone in to search with.
            if let first = users.indices.first, case .loggedOut = users[first].state, !loginQueue.contains(first) {
                loginQueue.append(first)
                startLogins(at: t)
            }
            return
        }
        guard case .active(let cookie, _) = users[user].state else { return }
        for (id, probe) in probes where !probe.inFlight && probe.nextPoll <= t {
            guard let transfer = loginFree.last else { return }
            let wire = WireRequest(
                kind: -1, method: "GET", urlHandle: nil, url: lb + "/analytics/api/search?limit=1&q=" + probe.token,
                headers: apiHeaders, cookie: cookie, bearer: nil, body: nil, captureHeaders: false, captureBody: true)
            do { try transfer.prepare(wire) } catch { return }
            loginFree.removeLast()
            probes[id]?.inFlight = true
            transfer.job = .probe(id: id, sent: t)
            curl_multi_add_handle(multi, transfer.handle)
            busy += 1
        }
    }

    /// `returned` of an Analytics search answer.
    static func returnedCount(in body: [UInt8]) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        return (object["returned"] as? Int) ?? (object["events"] as? [Any])?.count
    }

    /// Asks the identity provider for an upload token (one request at a time).
    private func fetchToken(refresh: Bool, at t: Double) {
        guard !fetchingToken, let transfer = loginFree.last, let idp = plan.target.idp, let uploader = plan.target.uploader else { return }
        var pairs = [("grant_type", "client_credentials")]
        if let scope = uploader.scope { pairs.append(("scope", scope)) }
        let wire = WireRequest(
            kind: -1, method: "POST", urlHandle: nil, url: idp + "/oauth2/token", headers: tokenHeaders, cookie: nil, bearer: nil,
            body: Array(FormEncoding.encode(pairs).utf8), captureHeaders: false, captureBody: true)
        do {
            try transfer.prepare(wire)
        } catch {
            noteFailure("client_credentials token: \(error)")
            return
        }
        loginFree.removeLast()
        fetchingToken = true
        transfer.job = .token(refresh: refresh, sent: t)
        curl_multi_add_handle(multi, transfer.handle)
        busy += 1
    }

    static func accessToken(in body: [UInt8]) -> (value: String, expiresIn: Double)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let token = object["access_token"] as? String else { return nil }
        return (token, (object["expires_in"] as? Double) ?? Double(object["expires_in"] as? Int ?? 3600))
    }

    private func noteFailure(_ message: String) {
        link.failure.withLock { if $0 == nil { $0 = message } }
    }

    private func loginFailed(_ user: Int, reason: String, category: ErrorCategory, at t: Double) {
        recorder.countLogin(succeeded: false)
        users[user].state = .loggedOut
        users[user].retryAt = t + 1
        let pending = users[user].pending
        users[user].pending.removeAll()
        for request in pending {
            record(request, outcome: .error(category == .auth ? .auth : category), status: 0, sent: t, finished: t, transfer: nil)
        }
        noteFailure("login of \(users[user].credential.username) failed: \(reason)")
    }

    // MARK: what to send

    private func pick<T>(_ items: [T], weight: (T) -> Double, _ generator: inout SeededGenerator) -> T? {
        guard !items.isEmpty else { return nil }
        let total = items.reduce(0) { $0 + max(0, weight($1)) }
        guard total > 0 else { return items[Int(generator.next() % UInt64(items.count))] }
        var x = generator.nextUnitInterval() * total
        for item in items {
            x -= max(0, weight(item))
            if x < 0 { return item }
        }
        return items.last
    }

    private func user(for audience: Audience, _ generator: inout SeededGenerator) -> Int? {
        switch audience {
        case .anonymous: return nil
        case .any: return users.isEmpty ? nil : Int(generator.next() % UInt64(users.count))
        case .managers: return usersByRole[.managers].flatMap { $0.isEmpty ? nil : $0[Int(generator.next() % UInt64($0.count))] }
        case .analysts: return usersByRole[.analysts].flatMap { $0.isEmpty ? nil : $0[Int(generator.next() % UInt64($0.count))] }
        }
    }

    private func makeRequest(_ lane: Lane, intended: Double, phase: Int) -> PlannedRequest? {
        let scenario = plan.scenario
        let laneIndex = lane.index
        switch lane.type {
        case .http:
            guard let http = scenario.httpRequests, !http.requests.isEmpty else { return nil }
            let index = http.requests.count == 1 ? 0 : Int(pickIndex(http.requests.map(\.weight), &lane.generator))
            let entry = http.requests[index]
            return PlannedRequest(
                type: .http, lane: laneIndex, intended: intended, phase: phase, method: entry.method, url: entry.url,
                path: entry.url, expectStatus: entry.expectStatus, headers: genericHeaders[index], urlHandle: genericURLs[index],
                body: genericBodies[index], kind: index)
        case .ui:
            guard let ui = scenario.ui, let page = pick(ui.pages, weight: \.weight, &lane.generator), let lb = plan.target.lb else { return nil }
            let user = self.user(for: page.audience, &lane.generator)
            guard user != nil || page.audience == .anonymous else { return noUser(for: page.audience) }
            return PlannedRequest(
                type: .ui, lane: laneIndex, intended: intended, phase: phase, method: "GET", url: lb + page.path, path: page.path,
                user: user ?? -1, role: user.map { users[$0].credential.role }, headers: pageHeaders)
        case .api:
            guard let api = scenario.api, let call = pick(api.calls, weight: \.weight, &lane.generator), let lb = plan.target.lb else { return nil }
            let user = self.user(for: call.audience, &lane.generator)
            guard user != nil || call.audience == .anonymous else { return noUser(for: call.audience) }
            return PlannedRequest(
                type: .api, lane: laneIndex, intended: intended, phase: phase, method: call.method, url: lb + call.path, path: call.path,
                user: user ?? -1, role: user.map { users[$0].credential.role }, headers: apiHeaders,
                body: call.body.map { Array($0.utf8) })
        case .upload:
            guard let upload = scenario.upload, let base = plan.target.upload, !uploads.isEmpty else { return nil }
            let batch = upload.batches.count == 1 ? 0 : Int(pickIndex(upload.batches.map(\.weight), &lane.generator))
            let variants = uploads[batch]
            var payload = variants[Int(lane.generator.next() % UInt64(variants.count))]
            var freshnessToken: String?
            if upload.freshnessSample > 0, !users.isEmpty, plan.target.lb != nil, freshnessGenerator.nextUnitInterval() < upload.freshnessSample {
                probeSequence += 1
                let token = "gfresh-\(plan.scenario.seed)-w\(id)-\(probeSequence)-\(Int(intended * 1000))"
                payload = UploadPayload.make(
                    batch: upload.batches[batch], format: upload.format, encoding: upload.encoding, generator: &freshnessGenerator,
                    variant: probeSequence, token: token)
                freshnessToken = token
            }
            let bad = upload.badKeyFraction > 0 && lane.generator.nextUnitInterval() < upload.badKeyFraction
            let keys = plan.target.apiKeys
            let key = bad || keys.isEmpty ? ResolvedTarget.invalidAPIKey : keys[Int(lane.generator.next() % UInt64(keys.count))]
            return PlannedRequest(
                type: .upload, lane: laneIndex, intended: intended, phase: phase, method: "POST", url: base + "/v1/events",
                path: "/v1/events", credentialValid: !bad && !keys.isEmpty, headers: uploadHeaderList(key: key, payload: payload),
                body: payload.body, uploadEvents: payload.events, freshnessToken: bad ? nil : freshnessToken)
        }
    }

    /// A replayed request: the item's method and path to the LB (uploads: a generated batch to the
    /// gateway), as the item's user or without a session.
    private func makeRequest(_ lane: Lane, replaying item: ReplayItem, phase: Int) -> PlannedRequest? {
        let laneIndex = lane.index
        var user: Int?
        if let replayUser = item.user {
            guard let credential = plan.credential(for: replayUser) else {
                noteFailure("no \(replayUser.role.rawValue) user to replay \(item.method) \(item.path) as")
                return nil
            }
            user = credential / plan.workers
        }
        switch item.type {
        case .upload:
            guard let upload = plan.scenario.upload, let base = plan.target.upload else { return nil }
            let events = item.bodyBytes.map { max(1, $0 / 256) } ?? ReplayItem.defaultUploadEvents
            let payload = UploadPayload.make(
                batch: .init(events: events), format: upload.format, encoding: upload.encoding, generator: &lane.generator, variant: lane.replayHead)
            let keys = plan.target.apiKeys
            let key = keys.isEmpty ? ResolvedTarget.invalidAPIKey : keys[lane.replayHead % keys.count]
            return PlannedRequest(
                type: .upload, lane: laneIndex, intended: item.intended, phase: phase, method: item.method, url: base + item.pathAndQuery,
                path: item.path, credentialValid: !keys.isEmpty, headers: uploadHeaderList(key: key, payload: payload),
                body: payload.body, uploadEvents: payload.events)
        case .ui, .api, .http:
            guard let lb = plan.target.lb else { return nil }
            return PlannedRequest(
                type: item.type, lane: laneIndex, intended: item.intended, phase: phase, method: item.method, url: lb + item.pathAndQuery,
                path: item.path, user: user ?? -1, role: user.map { users[$0].credential.role },
                expectStatus: item.type == .http ? item.recordedStatus ?? 200 : nil,
                headers: item.type == .ui ? pageHeaders : apiHeaders, body: item.body)
        }
    }

    /// A request for logged-in users when this worker has none of that audience: it is not sent (sending it
    /// without a session would test something else), and the run says why its rate fell short.
    private func noUser(for audience: Audience) -> PlannedRequest? {
        noteFailure("worker \(id) has no \(audience == .any ? "users" : audience.rawValue) to send requests for \(audience.rawValue) as; give the scenario more users (at least one per role per worker) or fewer workers")
        return nil
    }

    private func pickIndex(_ weights: [Double], _ generator: inout SeededGenerator) -> Int {
        let total = weights.reduce(0) { $0 + max(0, $1) }
        guard total > 0 else { return Int(generator.next() % UInt64(max(1, weights.count))) }
        var x = generator.nextUnitInterval() * total
        for (index, weight) in weights.enumerated() {
            x -= max(0, weight)
            if x < 0 { return index }
        }
        return weights.count - 1
    }

    private func uploadHeaderList(key: String, payload: UploadPayload) -> UnsafeMutablePointer<curl_slist>? {
        let cacheKey = "\(key)|\(payload.contentType)|\(payload.gzip)"
        if let list = uploadHeaders[cacheKey] { return list }
        var headers = ["Content-Type: \(payload.contentType)", "x-api-key: \(key)", "Expect:"]
        if payload.gzip { headers.append("Content-Encoding: gzip") }
        let list = headerList(headers)
        uploadHeaders[cacheKey] = list
        return list
    }
}
