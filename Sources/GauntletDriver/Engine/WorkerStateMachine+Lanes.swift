import GauntletCore

/// Lanes: offering due arrivals (and requests that waited for a login or token) to free slots.
extension WorkerStateMachine {
    /// Sends what lane `index` has due at `t`, while it has (or, `auto`, may open) a slot.
    mutating func issue(_ index: Int, at t: Double, stopRequested: Bool, into actions: inout [WorkerAction]) {
        while lanes[index].canSend {
            if let request = lanes[index].takeReady() {
                // It waited for this session or token: it goes now, unless the session ended meanwhile.
                if request.user >= 0, sessions.active(request.user) == nil {
                    sessions.park(request)
                    startLogins(at: t, into: &actions)
                } else {
                    sendOnLane(request, at: t, into: &actions)
                }
                continue
            }
            let intended: Double
            var item: ReplayItem?
            if lanes[index].closedLoop {
                // Closed loop: back to back until the end, nothing after it.
                guard t < duration, !stopRequested else { return }
                intended = t
            } else if let due = lanes[index].takeDue(at: t, share) {
                intended = due.intended
                item = due.item
            } else {
                return
            }
            let phase = phase(at: intended)
            if !lanes[index].closedLoop { recorder.countArrival(lanes[index].type, phase: phase) }
            let made = item.map { factory.make(&lanes[index], replaying: $0, ordinal: lanes[index].replayHead, phase: phase, sessions: sessions) }
                ?? factory.make(&lanes[index], intended: intended, phase: phase, sessions: sessions)
            guard case .request(let request) = made else {
                if case .refused(let reason) = made { actions.append(.fail(reason)) }
                // Nothing can be sent for this lane; a closed-loop lane would otherwise spin here.
                if lanes[index].closedLoop { return }
                continue
            }
            let sent = admit(request, at: t, into: &actions)
            // Closed loop: wait for the login or token rather than park requests without end.
            if !sent, lanes[index].closedLoop { return }
        }
    }

    /// Sends `request` now if its credentials are at hand, else parks it for its user's login or the
    /// upload token. True when it went out.
    private mutating func admit(_ request: PlannedRequest, at t: Double, into actions: inout [WorkerAction]) -> Bool {
        var request = request
        if request.type == .upload, needsToken, request.credentialValid {
            switch token.lookup(at: t) {
            case .use(_, let refresh):
                if refresh { fetchToken(at: t, into: &actions) }
            case .wait(let fetch):
                request.readyAt = .infinity
                token.park(request)
                if fetch { fetchToken(at: t, into: &actions) }
                return false
            }
        } else if request.user >= 0, sessions.session(of: request.user, at: t) == nil {
            request.readyAt = .infinity
            sessions.park(request)
            startLogins(at: t, into: &actions)
            return false
        }
        sendOnLane(request, at: t, into: &actions)
        return true
    }

    /// Puts a request on one of its lane's slots (opening one on an `auto` lane with none free).
    private mutating func sendOnLane(_ request: PlannedRequest, at t: Double, into actions: inout [WorkerAction]) {
        let index = request.lane
        if lanes[index].free.isEmpty, lanes[index].opened < lanes[index].cap { lanes[index].grow(openSlot(lane: index, into: &actions)) }
        guard let slot = lanes[index].takeSlot() else { return }
        var cookie: String?
        var bearer: String?
        if request.type == .upload, needsToken, request.credentialValid { bearer = token.token }
        if request.user >= 0, let session = sessions.active(request.user) {
            cookie = session.cookie
            bearer = session.bearer
        }
        let outgoing = OutgoingRequest(
            kind: request.kind, method: request.method, url: request.url, headers: request.headers, cookie: cookie, bearer: bearer,
            body: request.body, parseURL: true, captureHeaders: request.user >= 0)
        let free = lanes[index].connectionFree(readyAt: request.readyAt == .infinity ? t : request.readyAt)
        dispatch(outgoing, on: slot, job: .request(request, sent: t, connectionFree: Swift.min(free, t)), into: &actions)
    }

    /// Requests that waited (for a login or the token) and may go now, ready since `t`.
    mutating func requeue(_ requests: [PlannedRequest], at t: Double) {
        for var request in requests {
            request.readyAt = t
            lanes[request.lane].enqueueReady(request)
        }
    }
}
