import GauntletCore

/// Turns an arrival into the request to send: which page, call, batch or `http` request (by weight,
/// with the lane's seeded generator), as which user, with which headers and body. Pure: same seed, same
/// requests.
struct RequestFactory: Sendable {
    enum Made {
        case request(PlannedRequest)
        /// Nothing to send for this lane (its type is not configured, or the target lacks the component).
        case nothing
        /// Nothing to send, for a reason the run must report.
        case refused(String)
    }

    let plan: RunPlan
    let share: WorkerShare
    private(set) var headers = HeaderSets()
    let pageHeaders: Int
    let apiHeaders: Int
    let formHeaders: Int
    private let genericHeaders: [Int]
    private let genericBodies: [[UInt8]?]
    /// Weights by request type, drawn from per request (kept, so drawing allocates nothing).
    private let genericWeights: [Double]
    private let pageWeights: [Double]
    private let callWeights: [Double]
    private let batchWeights: [Double]
    /// A few prebuilt bodies per upload batch shape, so the hot path only points libcurl at them.
    private let uploads: [[UploadPayload]]
    private var uploadHeaders: [String: Int] = [:]
    private var freshnessGenerator: SeededGenerator
    private var freshnessSequence = 0

    init(plan: RunPlan, share: WorkerShare) {
        self.plan = plan
        self.share = share
        let scenario = plan.scenario
        pageHeaders = headers.id(["Accept: text/html,application/xhtml+xml"])
        apiHeaders = headers.id(["Accept: application/json", "Content-Type: application/json"])
        formHeaders = headers.id(["Content-Type: application/x-www-form-urlencoded", "Accept: text/html"])
        var generic: [Int] = []
        for request in scenario.httpRequests?.requests ?? [] {
            generic.append(headers.id(request.headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }))
        }
        genericHeaders = generic
        genericBodies = scenario.httpRequests?.requests.map { $0.body.map { Array($0.utf8) } } ?? []
        genericWeights = scenario.httpRequests?.requests.map(\.weight) ?? []
        pageWeights = scenario.ui?.pages.map(\.weight) ?? []
        callWeights = scenario.api?.calls.map(\.weight) ?? []
        batchWeights = scenario.upload?.batches.map(\.weight) ?? []
        if let upload = scenario.upload {
            var generator = SeededGenerator(seed: scenario.seed, stream: "upload-bodies")
            uploads = upload.batches.map { batch in
                (0..<4).map { UploadPayload.make(batch: batch, format: upload.format, encoding: upload.encoding, generator: &generator, variant: $0) }
            }
        } else {
            uploads = []
        }
        freshnessGenerator = SeededGenerator(seed: scenario.seed, stream: "freshness-\(share.streamName)")
    }

    /// Registers (or finds) a header set outside the request types': logins, tokens.
    mutating func headerSet(_ lines: [String]) -> Int { headers.id(lines) }

    /// The index drawn by weight (negative weights count as zero; all zero: uniform).
    static func pick(_ weights: [Double], _ generator: inout SeededGenerator) -> Int {
        guard weights.count > 1 else { return 0 }
        let total = weights.reduce(0) { $0 + Swift.max(0, $1) }
        guard total > 0 else { return Int(generator.next() % UInt64(weights.count)) }
        var x = generator.nextUnitInterval() * total
        for (index, weight) in weights.enumerated() {
            x -= Swift.max(0, weight)
            if x < 0 { return index }
        }
        return weights.count - 1
    }

    /// The request for an arrival of the scenario's schedule at `intended`.
    mutating func make(_ lane: inout Lane, intended: Double, phase: Int, sessions: UserSessions) -> Made {
        let scenario = plan.scenario
        var request = PlannedRequest(type: lane.type, lane: lane.index, intended: intended, phase: phase, method: "GET", url: "", path: "")
        request.readyAt = intended
        switch lane.type {
        case .http:
            guard let http = scenario.httpRequests, !http.requests.isEmpty else { return .nothing }
            let index = Self.pick(genericWeights, &lane.generator)
            let entry = http.requests[index]
            request.method = entry.method
            request.url = entry.url
            request.path = entry.url
            request.expectStatus = entry.expectStatus
            request.headers = genericHeaders[index]
            request.body = genericBodies[index]
            request.kind = index
        case .ui, .api:
            guard let lb = plan.target.lb else { return .nothing }
            let entry: (path: String, method: String, audience: Audience, body: String?)
            if lane.type == .ui {
                guard let pages = scenario.ui?.pages, !pages.isEmpty else { return .nothing }
                let page = pages[Self.pick(pageWeights, &lane.generator)]
                entry = (page.path, "GET", page.audience, nil)
            } else {
                guard let calls = scenario.api?.calls, !calls.isEmpty else { return .nothing }
                let call = calls[Self.pick(callWeights, &lane.generator)]
                entry = (call.path, call.method, call.audience, call.body)
            }
            let user = sessions.user(for: entry.audience, &lane.generator)
            guard user != nil || entry.audience == .anonymous else { return noUser(for: entry.audience) }
            request.method = entry.method
            request.url = lb + entry.path
            request.path = entry.path
            request.user = user ?? -1
            request.role = user.map { sessions[$0].credential.role }
            request.headers = lane.type == .ui ? pageHeaders : apiHeaders
            request.body = entry.body.map { Array($0.utf8) }
        case .upload:
            return makeUpload(&lane, request, sessions: sessions)
        }
        return .request(request)
    }

    private mutating func makeUpload(_ lane: inout Lane, _ request: PlannedRequest, sessions: UserSessions) -> Made {
        guard let upload = plan.scenario.upload, let base = plan.target.upload, !uploads.isEmpty else { return .nothing }
        var request = request
        let batch = Self.pick(batchWeights, &lane.generator)
        let variants = uploads[batch]
        var payload = variants[Int(lane.generator.next() % UInt64(variants.count))]
        if upload.freshnessSample > 0, !sessions.isEmpty, plan.target.lb != nil, freshnessGenerator.nextUnitInterval() < upload.freshnessSample {
            freshnessSequence += 1
            let token = "gfresh-\(plan.scenario.seed)-\(share.streamName)-\(freshnessSequence)-\(Int(request.intended * 1000))"
            payload = UploadPayload.make(
                batch: upload.batches[batch], format: upload.format, encoding: upload.encoding, generator: &freshnessGenerator,
                variant: freshnessSequence, token: token)
            request.freshnessToken = token
        }
        let bad = upload.badKeyFraction > 0 && lane.generator.nextUnitInterval() < upload.badKeyFraction
        if bad { request.freshnessToken = nil }
        let keys = plan.target.apiKeys
        let key = bad || keys.isEmpty ? ResolvedTarget.invalidAPIKey : keys[Int(lane.generator.next() % UInt64(keys.count))]
        request.method = "POST"
        request.url = base + "/v1/events"
        request.path = "/v1/events"
        request.credentialValid = !bad && !keys.isEmpty
        request.headers = uploadHeaderSet(key: key, payload: payload)
        request.body = payload.body
        request.uploadEvents = payload.events
        return .request(request)
    }

    /// A replayed request: the item's method and path to the LB (uploads: a generated batch to the
    /// gateway), as the item's user or without a session.
    mutating func make(_ lane: inout Lane, replaying item: ReplayItem, ordinal: Int, phase: Int, sessions: UserSessions) -> Made {
        var user: Int?
        if let replayUser = item.user {
            guard let credential = plan.credential(for: replayUser) else {
                return .refused("no \(replayUser.role.rawValue) user to replay \(item.method) \(item.path) as")
            }
            user = share.localUser(credential)
        }
        var request = PlannedRequest(
            type: item.type, lane: lane.index, intended: item.intended, phase: phase, method: item.method, url: "", path: item.path)
        request.readyAt = item.intended
        switch item.type {
        case .upload:
            guard let upload = plan.scenario.upload, let base = plan.target.upload else { return .nothing }
            let events = item.bodyBytes.map { Swift.max(1, $0 / 256) } ?? ReplayItem.defaultUploadEvents
            let payload = UploadPayload.make(
                batch: .init(events: events), format: upload.format, encoding: upload.encoding, generator: &lane.generator, variant: ordinal)
            let keys = plan.target.apiKeys
            let key = keys.isEmpty ? ResolvedTarget.invalidAPIKey : keys[ordinal % keys.count]
            request.url = base + item.pathAndQuery
            request.credentialValid = !keys.isEmpty
            request.headers = uploadHeaderSet(key: key, payload: payload)
            request.body = payload.body
            request.uploadEvents = payload.events
        case .ui, .api, .http:
            guard let lb = plan.target.lb else { return .nothing }
            request.url = lb + item.pathAndQuery
            request.user = user ?? -1
            request.role = user.map { sessions[$0].credential.role }
            request.expectStatus = item.type == .http ? item.recordedStatus ?? 200 : nil
            request.headers = item.type == .ui ? pageHeaders : apiHeaders
            request.body = item.body
        }
        return .request(request)
    }

    /// A request for logged-in users when this worker has none of that audience: it is not sent (sending it
    /// without a session would test something else), and the run says why its rate fell short.
    private func noUser(for audience: Audience) -> Made {
        .refused("worker \(share.worker) has no \(audience == .any ? "users" : audience.rawValue) to send requests for \(audience.rawValue) as; give the scenario more users (at least one per role per worker) or fewer workers")
    }

    private mutating func uploadHeaderSet(key: String, payload: UploadPayload) -> Int {
        let cacheKey = "\(key)|\(payload.contentType)|\(payload.gzip)"
        if let id = uploadHeaders[cacheKey] { return id }
        var lines = ["Content-Type: \(payload.contentType)", "x-api-key: \(key)", "Expect:"]
        if payload.gzip { lines.append("Content-Encoding: gzip") }
        let id = headers.id(lines)
        uploadHeaders[cacheKey] = id
        return id
    }
}
