import GauntletCore

/// Responses: judging each request's answer against the routing matrix, re-sending once when the
/// session ended, and recording what happened.
extension WorkerStateMachine {
    /// The exchange on `slot` ended at `t`.
    mutating func completed(slot: Int, _ response: TransferResponse, at t: Double, into actions: inout [WorkerAction]) {
        switch jobs[slot] {
        case .idle:
            return
        case .request(let request, let sent, let free):
            release(slot, at: t)
            answered(request, sent: sent, connectionFree: free, response, at: t, into: &actions)
        case .probe(let id, _):
            release(slot, at: t)
            probeAnswered(id, response, at: t, into: &actions)
        case .token(let refresh, let sent):
            release(slot, at: t)
            tokenAnswered(refresh: refresh, sent: sent, response, at: t, into: &actions)
        case .login(let user, let step, let sent):
            loginAnswered(slot: slot, user: user, step: step, sent: sent, response, at: t, into: &actions)
        }
    }

    /// The transport could not even send on `slot` (an option libcurl refused): the exchange fails at once.
    mutating func sendFailed(slot: Int, _ error: TransportError, at t: Double, into actions: inout [WorkerAction]) {
        switch jobs[slot] {
        case .request(let request, _, let free):
            release(slot, at: t)
            record(request, outcome: .error(error.category), sent: t, finished: t, connectionFree: free, response: nil)
        case .login(let user, _, _):
            release(slot, at: t)
            loginFailed(user, reason: error.description, category: error.category, at: t, into: &actions)
        case .token:
            release(slot, at: t)
            tokenFailed(reason: error.description, at: t, into: &actions)
        case .probe(let id, _):
            release(slot, at: t)
            _ = prober.answered(id, returned: nil, at: t)
        case .idle:
            return
        }
    }

    private mutating func answered(
        _ request: PlannedRequest, sent: Double, connectionFree: Double, _ response: TransferResponse, at t: Double,
        into actions: inout [WorkerAction]
    ) {
        if let failure = response.failure {
            record(request, outcome: .error(failure.category), sent: sent, finished: t, connectionFree: connectionFree, response: nil)
            return
        }
        if request.user >= 0, let host = plan.target.lb.flatMap(WebURL.init)?.host {
            sessions.store(response.setCookies, for: request.user, host: host)
        }
        let facts = OracleRequest(
            type: request.type, method: request.method, path: request.path, role: request.role,
            credentialValid: request.credentialValid, expectStatus: request.expectStatus)
        let verdict = oracle.classify(facts, OracleResponse(status: response.status, servedBy: response.servedBy, location: response.location))
        if sessionEnded(request, verdict, response) {
            // The session ended (expiry, sign-out): the LB sends a browser to login, or answers an API
            // call 401. Log in again and re-send once, as the UI would; a second refusal is a misroute.
            var again = request
            again.retried = true
            again.readyAt = .infinity
            sessions[request.user].state = .loggedOut
            recorder.countLogin(succeeded: true, refresh: true)
            sessions.park(again)
            startLogins(at: t, into: &actions)
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
                expected: oracle.expectation(for: facts).description, status: response.status, servedBy: response.servedBy,
                location: response.location, at: t))
        }
        record(request, outcome: outcome, sent: sent, finished: t, connectionFree: connectionFree, response: response)
        if let token = request.freshnessToken, (200..<300).contains(response.status) { prober.acknowledged(token, at: t) }
    }

    /// A refusal by the load balancer itself (no `X-Served-By`) of a logged-in user's first try: its
    /// session ended. A refusal a backend sent is no ended session but a request that reached the wrong
    /// place: it stays a misroute, or retrying would hide injected misroutes.
    private func sessionEnded(_ request: PlannedRequest, _ verdict: OracleVerdict, _ response: TransferResponse) -> Bool {
        guard case .misroute(.authorizedDenied) = verdict, request.user >= 0, !request.retried, response.servedBy == nil else { return false }
        let sentToLogin = (300..<400).contains(response.status) && (response.location?.contains(oracle.loginPathMarker) ?? false)
        return sentToLogin || response.status == 401
    }

    /// Records a finished request (and its request-log line, when the run keeps one).
    mutating func record(
        _ request: PlannedRequest, outcome: RequestSample.Outcome, sent: Double, finished: Double, connectionFree: Double,
        response: TransferResponse?
    ) {
        let status = response?.status ?? 0
        var sample = RequestSample(
            type: request.type, phase: request.phase, intended: request.intended, sent: sent, finished: finished,
            outcome: outcome, status: status, uploadEvents: request.uploadEvents, uploadBytes: request.body?.count ?? 0,
            connectionFree: connectionFree)
        if let response, status > 0 {
            sample.connect = response.connect
            sample.tls = response.tls
            sample.ttfb = response.ttfb
            sample.lbAuth = response.lbAuth
            sample.target = response.targetTime
            switch response.servedBy {
            case oracle.managerBackend?: sample.targetBackend = .targetManagerUI
            case oracle.analyticsBackend?: sample.targetBackend = .targetAnalyticsUI
            default: break
            }
        }
        recorder.record(sample)
        if log != nil { appendLog(request, sample) }
    }

    private mutating func appendLog(_ request: PlannedRequest, _ sample: RequestSample) {
        var error: String?
        switch sample.outcome {
        case .ok, .rejected: error = nil
        case .error(let category): error = category.rawValue
        case .misroute: error = ErrorCategory.oracle.rawValue
        }
        let answered = sample.status > 0
        let phases = plan.scenario.phases
        log?.append(RequestLogRecord(
            intendedTime: request.intended, type: request.type, method: request.method, url: request.url,
            status: answered ? sample.status : nil, latency: answered ? sample.finished - sample.intended : nil,
            serviceTime: answered ? sample.finished - sample.sent : nil,
            user: request.user >= 0 ? sessions[request.user].credential.username : nil, role: request.role,
            error: error, phase: phases.indices.contains(request.phase) ? phases[request.phase].name : nil))
    }

    // MARK: timeouts and the end

    /// Requests in flight longer than the target's timeout end as timeouts. The request lanes' slots
    /// carry no libcurl timeout (see Transfer.configure): one pass over them every few milliseconds costs
    /// less than libcurl's per-request timers, and the timeout is still kept to within the sweep interval.
    mutating func sweepTimeouts(at t: Double, into actions: inout [WorkerAction]) {
        let deadline = t - plan.target.timeout
        for slot in jobs.indices where slotLane[slot] >= 0 {
            guard case .request(let request, let sent, let free) = jobs[slot], sent <= deadline else { continue }
            actions.append(.cancel(slot: slot))
            release(slot, at: t)
            record(request, outcome: .error(.timeout), sent: sent, finished: t, connectionFree: free, response: nil)
        }
    }

    /// Exchanges still in flight when the run's grace period ends: requests count as timeouts.
    mutating func abandonInFlight(at t: Double, into actions: inout [WorkerAction]) {
        for slot in jobs.indices {
            if case .idle = jobs[slot] { continue }
            if case .request(let request, let sent, let free) = jobs[slot] {
                record(request, outcome: .error(.timeout), sent: sent, finished: t, connectionFree: free, response: nil)
            }
            actions.append(.cancel(slot: slot))
            release(slot, at: t)
        }
    }
}
