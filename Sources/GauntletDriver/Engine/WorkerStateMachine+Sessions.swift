import GauntletCore

/// Virtual users' logins on the login lane: the browser's redirect flow (`BrowserLogin`) or
/// `InitiateAuth` (password, then refresh token), and what a login's end releases.
extension WorkerStateMachine {
    /// Starts queued logins while login slots are free.
    mutating func startLogins(at t: Double, into actions: inout [WorkerAction]) {
        while sessions.hasQueue, let slot = loginFree.last, let user = sessions.nextQueued() {
            if plan.target.login == .initiateAuth {
                startInitiateAuth(user, on: slot, at: t, into: &actions)
                continue
            }
            let credential = sessions[user].credential
            guard let lb = plan.target.lb,
                  var login = BrowserLogin(lbURL: lb, username: credential.username, password: credential.password, jar: sessions[user].jar)
            else {
                loginFailed(user, reason: "the target has no load balancer URL to log in through", category: .auth, at: t, into: &actions)
                continue
            }
            guard case .send(let first) = login.action() else { continue }
            sessions[user].state = .loggingIn(login, started: t)
            loginFree.removeLast()
            sendLogin(first, user: user, on: slot, at: t, into: &actions)
        }
    }

    /// `InitiateAuth`: with the refresh token when the user has one (a refresh), else with the password.
    private mutating func startInitiateAuth(_ user: Int, on slot: Int, at t: Double, into actions: inout [WorkerAction]) {
        guard let idp = plan.target.idp, let client = plan.target.apiClient else {
            loginFailed(user, reason: "no identity provider or app client for InitiateAuth", category: .auth, at: t, into: &actions)
            return
        }
        let refresh = sessions[user].refreshToken
        let credential = sessions[user].credential
        let body = InitiateAuth.body(
            username: credential.username, password: credential.password, clientId: client.clientId,
            secret: client.clientSecret.isEmpty ? nil : client.clientSecret, refreshToken: refresh)
        loginFree.removeLast()
        sessions[user].state = .authenticating(started: t)
        dispatch(
            OutgoingRequest(method: "POST", url: idp + "/", headers: initiateAuthHeaders, body: body, captureBody: true),
            on: slot, job: .login(user: user, step: refresh == nil ? .initiateAuth : .refresh, sent: t), into: &actions)
    }

    private mutating func sendLogin(_ request: BrowserLogin.Request, user: Int, on slot: Int, at t: Double, into actions: inout [WorkerAction]) {
        let outgoing = OutgoingRequest(
            method: request.method, url: request.url, headers: request.method == "POST" ? factory.formHeaders : factory.pageHeaders,
            cookie: request.cookie, body: request.form.map { Array($0.utf8) }, captureHeaders: true, captureBody: true)
        dispatch(outgoing, on: slot, job: .login(user: user, step: request.step, sent: t), into: &actions)
    }

    /// A login step answered on `slot`.
    mutating func loginAnswered(
        slot: Int, user: Int, step: AuthStep, sent: Double, _ response: TransferResponse, at t: Double, into actions: inout [WorkerAction]
    ) {
        recorder.recordAuth(step, seconds: t - sent, phase: phase(at: t))
        if step == .idpResponse, response.lbAuth >= 0 { recorder.recordAuth(.token, seconds: response.lbAuth, phase: phase(at: t)) }
        if case .authenticating(let started) = sessions[user].state {
            release(slot, at: t)
            initiateAuthAnswered(user: user, step: step, started: started, response, at: t, into: &actions)
            return
        }
        guard case .loggingIn(var login, let started) = sessions[user].state else {
            release(slot, at: t)
            return
        }
        if let failure = response.failure {
            release(slot, at: t)
            loginFailed(user, reason: "\(step.rawValue): \(failure.description)", category: failure.category, at: t, into: &actions)
            return
        }
        login.receive(BrowserLogin.Response(
            status: response.status, location: response.location, setCookies: response.setCookies,
            body: String(decoding: response.body, as: UTF8.self), lbAuth: response.lbAuth))
        sessions[user].state = .loggingIn(login, started: started)
        switch login.action() {
        case .send(let next):
            // The slot stays with the login: its next step goes out on it at once.
            jobs[slot] = .idle
            busy -= 1
            sendLogin(next, user: user, on: slot, at: t, into: &actions)
        case .done:
            release(slot, at: t)
            recorder.recordAuth(.login, seconds: t - started, phase: phase(at: t))
            recorder.countLogin(succeeded: true)
            sessions[user].jar = login.jar
            requeue(sessions.activate(user, cookie: login.jar.header(for: login.lb.host), at: t), at: t)
        case .failed(let reason):
            release(slot, at: t)
            loginFailed(user, reason: reason, category: .auth, at: t, into: &actions)
        }
    }

    private mutating func initiateAuthAnswered(
        user: Int, step: AuthStep, started: Double, _ response: TransferResponse, at t: Double, into actions: inout [WorkerAction]
    ) {
        let result: Result<InitiateAuth.Tokens, InitiateAuthError> = response.failure.map {
            .failure(InitiateAuthError(type: $0.category.rawValue, message: $0.description))
        } ?? InitiateAuth.parse(status: response.status, body: response.body)
        switch result {
        case .success(let tokens):
            recorder.recordAuth(.login, seconds: t - started, phase: phase(at: t))
            recorder.countLogin(succeeded: true, refresh: step == .refresh)
            sessions[user].accessToken = tokens.accessToken
            if let refresh = tokens.refreshToken { sessions[user].refreshToken = refresh }
            sessions[user].tokenExpiry = t + tokens.expiresIn
            requeue(sessions.activate(user, cookie: nil, at: t), at: t)
        case .failure where step == .refresh:
            // The refresh token no longer works: log in with the password.
            sessions[user].refreshToken = nil
            sessions[user].state = .loggedOut
            sessions.queueLogin(user)
            startLogins(at: t, into: &actions)
        case .failure(let error):
            loginFailed(user, reason: error.description, category: .auth, at: t, into: &actions)
        }
    }

    /// A login that failed: its user's waiting requests fail with it, and the run says why.
    mutating func loginFailed(_ user: Int, reason: String, category: ErrorCategory, at t: Double, into actions: inout [WorkerAction]) {
        recorder.countLogin(succeeded: false)
        for request in sessions.loginFailed(user) {
            record(request, outcome: .error(category == .auth ? .auth : category), sent: t, finished: t, connectionFree: t, response: nil)
        }
        actions.append(.fail("login of \(sessions[user].credential.username) failed: \(reason)"))
    }
}
