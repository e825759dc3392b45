import GauntletCore

/// The login lane's other work, the upload token and freshness probes, and the DNS pins' upkeep.
extension WorkerStateMachine {
    // MARK: upload token

    /// Asks the identity provider for an upload token (one request at a time).
    mutating func fetchToken(at t: Double, into actions: inout [WorkerAction]) {
        guard !token.fetching, let slot = loginFree.last, let idp = plan.target.idp, let uploader = plan.target.uploader else { return }
        var pairs = [("grant_type", "client_credentials")]
        if let scope = uploader.scope { pairs.append(("scope", scope)) }
        loginFree.removeLast()
        let refresh = token.refreshing
        token.fetchStarted()
        dispatch(
            OutgoingRequest(method: "POST", url: idp + "/oauth2/token", headers: tokenHeaders, body: Array(FormEncoding.encode(pairs).utf8), captureBody: true),
            on: slot, job: .token(refresh: refresh, sent: t), into: &actions)
    }

    mutating func tokenAnswered(refresh: Bool, sent: Double, _ response: TransferResponse, at t: Double, into actions: inout [WorkerAction]) {
        recorder.recordAuth(refresh ? .refresh : .token, seconds: t - sent, phase: phase(at: t))
        let answer = response.failure == nil && response.status == 200 ? UploadTokenCache.accessToken(in: response.body) : nil
        guard let answer else {
            tokenFailed(reason: response.failure.map { "token: \($0.description)" } ?? "the token endpoint answered \(response.status)", at: t, into: &actions)
            return
        }
        if refresh { recorder.countLogin(succeeded: true, refresh: true) }
        requeue(token.received(answer, at: t), at: t)
    }

    mutating func tokenFailed(reason: String, at t: Double, into actions: inout [WorkerAction]) {
        recorder.countLogin(succeeded: false)
        actions.append(.fail("client_credentials token for uploads failed: \(reason)"))
        for request in token.received(nil, at: t) {
            record(request, outcome: .error(.auth), sent: t, finished: t, connectionFree: t, response: nil)
        }
    }

    // MARK: freshness probes

    /// Searches for each due probe's token as a logged-in user (through the LB, as the Analytics UI does).
    mutating func pollProbes(at t: Double, into actions: inout [WorkerAction]) {
        guard !prober.isEmpty, let lb = plan.target.lb else { return }
        guard let searcher = sessions.anyActive else {
            // Log someone in to search with.
            if sessions.count > 0 {
                sessions.queueLogin(0)
                startLogins(at: t, into: &actions)
            }
            return
        }
        for id in prober.due(at: t) {
            guard let url = prober.searchURL(id, lb: lb), let slot = loginFree.popLast() else { return }
            prober.polling(id)
            dispatch(
                OutgoingRequest(url: url, headers: factory.apiHeaders, cookie: searcher.cookie, captureBody: true),
                on: slot, job: .probe(id: id, sent: t), into: &actions)
        }
    }

    mutating func probeAnswered(_ id: Int, _ response: TransferResponse, at t: Double, into actions: inout [WorkerAction]) {
        let returned = response.failure == nil && response.status == 200 ? FreshnessProber.returnedCount(in: response.body) : nil
        switch prober.answered(id, returned: returned, at: t) {
        case .found(let seconds): recorder.recordFreshness(seconds: seconds)
        case .lost(let token):
            actions.append(.fail("an acknowledged upload (\(token)) was not found by Analytics search within \(Int(FreshnessProber.giveUp))s"))
        case .again, nil: break
        }
    }

    // MARK: DNS

    /// The target's names were resolved (lookup times in seconds; the shortest TTL): pinned until then.
    mutating func resolved(lookups: [Double], ttl: Double, at t: Double) {
        resolving = false
        for seconds in lookups { recorder.recordAuth(.dns, seconds: seconds, phase: phase(at: t)) }
        dnsExpiry = t + Swift.max(ttl, 1)
    }

    /// A re-resolve failed: the last good answers stay pinned, the failure is counted, and it is tried
    /// again in a second.
    mutating func resolveFailed(_ reason: String, at t: Double, into actions: inout [WorkerAction]) {
        resolving = false
        recorder.countDNSFailure()
        dnsExpiry = t + 1
        actions.append(.fail("re-resolving the target's names failed (the last answers stay pinned): \(reason)"))
    }
}
