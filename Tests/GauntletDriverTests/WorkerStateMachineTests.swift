import Foundation
import Testing
@testable import GauntletCore
@testable import GauntletDriver

/// The worker's behaviour, step by step: times and responses in, actions out. No sockets, no sleeps.
@Suite struct WorkerStateMachineTests {
    static let lb = "https://lb.test"
    static let idp = "https://idp.test"

    static func plan(
        duration: Double = 10, timeout: Double = 5, connections: Int = 1, auto: Bool = false, http: GenericRequests? = nil,
        api: APIRequests? = nil, upload: UploadRequests? = nil, login: LoginMethod = .browser, requestLog: Bool = false
    ) -> RunPlan {
        var settings = HTTPSettings(timeout: timeout, connections: connections, workers: 1, requestLog: requestLog)
        settings.autoConnections = auto
        let scenario = Scenario(
            name: "table", seed: 7, target: .remote(RemoteTarget()), users: Users(managers: 1, analysts: 0),
            phases: [Phase(name: "steady", duration: duration)], http: settings, upload: upload, api: api, httpRequests: http)
        var target = ResolvedTarget(
            lb: lb, idp: idp, upload: "https://up.test", timeout: timeout,
            users: [UserCredential(username: "alice", password: "pw", role: .managers)], apiKeys: ["good"],
            uploader: ClientCredentials(clientId: "up", clientSecret: "s", scope: "events/write"))
        target.login = login
        target.apiClient = ClientCredentials(clientId: "api", clientSecret: "", scope: nil)
        return RunPlan(scenario: scenario, target: target, workers: 1)
    }

    /// Arrival k of a constant rate r is due at (k + 0.5) / r: 10/s → 0.05, 0.15, 0.25 …; 1/s → 0.5, 1.5 ….
    static func constant(_ rate: Double) -> GenericRequests {
        GenericRequests(schedule: .constant(rate: rate), requests: [.init(url: "http://t.test/ok", expectStatus: 204)])
    }

    static let managersAPI = APIRequests(schedule: .constant(rate: 1), calls: [.init(path: "/manager/api/users", audience: .managers)])

    /// Logs the browser user in through the whole redirect flow, from the first login request on `slot`.
    static func browserLogin(_ h: inout MachineHarness, slot: Int, at t: Double) throws {
        let form = #"<form method="post" action="/login?state=s"><input type="hidden" name="_csrf" value="c"></form>"#
        h.answer(slot, .status(302, location: idp + "/oauth2/authorize?state=s"), at: t)
        h.answer(slot, .status(302, location: "/login?state=s"), at: t)
        h.answer(slot, .status(200, body: form), at: t)
        h.answer(slot, .status(302, location: lb + "/oauth2/idpresponse?code=x&state=s"), at: t)
        h.answer(slot, .status(302, location: lb + "/", setCookies: ["AWSELBAuthSessionCookie-0=session; Path=/"]), at: t)
    }

    // MARK: lanes

    @Test func dueArrivalsGoOutOnFreeConnectionsAndTheRestWait() throws {
        var h = MachineHarness(plan: Self.plan(http: Self.constant(10)))
        let first = h.tick(0.05)
        #expect(first.count == 1)
        #expect(first.first?.request.url == "http://t.test/ok")
        // One connection: the arrivals at 0.1 and 0.2 wait for it.
        #expect(h.tick(0.25).isEmpty)
        let slot = try #require(first.first?.slot)
        let next = h.answer(slot, .status(204), at: 0.3)
        #expect(next.map(\.slot) == [slot])
    }

    @Test func lateForAConnectionIsTheTargetsWaitNotTheGenerators() throws {
        var h = MachineHarness(plan: Self.plan(duration: 1, http: Self.constant(10)))
        let first = try #require(h.tick(0.05).first)
        // The arrival at 0.15 is due while the only connection is held until 0.35: 200 ms of connection wait.
        let second = try #require(h.answer(first.slot, .status(204), at: 0.35).first)
        h.answer(second.slot, .status(204), at: 0.36)
        h.finish()
        let wait = try #require(h.merged(\.connectionWait).latencyPercentiles)
        #expect(wait.count == 1)
        #expect(abs(wait.max - 0.2) < 0.001)
        let own = try #require(h.merged(\.generatorLag).latencyPercentiles)
        #expect(own.max < 0.001)
    }

    @Test func lateWithAConnectionFreeIsTheGeneratorsLag() throws {
        var h = MachineHarness(plan: Self.plan(duration: 1, connections: 2, http: Self.constant(10)))
        #expect(h.tick(0.05).count == 1)
        // The loop gets to the arrival at 0.15 only at 0.3, with the second connection free all along.
        let late = h.tick(0.3)
        #expect(late.count == 1)
        h.answer(try #require(late.first?.slot), .status(204), at: 0.31)
        h.finish()
        #expect(h.merged(\.connectionWait).totalCount == 0)
        let own = try #require(h.merged(\.generatorLag).latencyPercentiles)
        #expect(abs(own.max - 0.15) < 0.001)
    }

    @Test func autoConnectionsOpenAnotherConnectionInsteadOfWaiting() throws {
        var h = MachineHarness(plan: Self.plan(duration: 1, auto: true, http: Self.constant(10)))
        #expect(h.laneSlots == 1)
        #expect(h.tick(0.05).count == 1)
        let more = h.tick(0.25)
        #expect(more.count == 2)
        #expect(h.laneSlots == 3)
        #expect(Set(more.map(\.slot)).count == 2)
        for (slot, _) in more { h.answer(slot, .status(204), at: 0.3) }
        h.finish()
        #expect(h.merged(\.connectionWait).totalCount == 0)
    }

    @Test func aClosedLoopLaneResendsOnTheConnectionThatFreed() throws {
        let http = GenericRequests(schedule: .max(connections: 2), requests: [.init(url: "http://t.test/ok", expectStatus: 204)])
        var h = MachineHarness(plan: Self.plan(http: http))
        let first = h.tick(0)
        #expect(first.count == 2)
        let again = h.answer(first[0].slot, .status(204), at: 0.01)
        #expect(again.map(\.slot) == [first[0].slot])
        #expect(h.tick(0.02).isEmpty)
    }

    @Test func requestsOutstayingTheTimeoutAreCancelledAsTimeouts() throws {
        var h = MachineHarness(plan: Self.plan(timeout: 1, http: Self.constant(1)))
        let sent = try #require(h.tick(0.5).first)
        h.tick(1.4)
        #expect(h.cancelled.isEmpty)
        h.tick(1.55)
        #expect(h.cancelled == [sent.slot])
        h.finish()
        #expect(h.errors(.http, .timeout) == 1)
    }

    @Test func aStopLeavesPartialResultsAndCountsWhatWasInFlightAsTimeouts() throws {
        var h = MachineHarness(plan: Self.plan(timeout: 2, http: Self.constant(10)))
        let sent = try #require(h.tick(0.05).first)
        h.tick(0.5, stop: true)
        #expect(!h.machine.finished)
        h.tick(2.6, stop: true)
        #expect(h.machine.finished)
        #expect(h.cancelled == [sent.slot])
        h.finish()
        let counters = h.counters(.http)
        #expect(counters.count == 1)
        #expect(counters.errors[ErrorCategory.timeout.index] == 1)
        // Arrivals due before the stop (0.05 … 0.45) count as scheduled though only one went out.
        #expect(counters.scheduled == 5)
    }

    @Test func intervalsArePostedAtEachSecondWithTheirIndex() {
        var h = MachineHarness(plan: Self.plan(duration: 3, http: Self.constant(1)))
        h.tick(0.5)
        h.tick(1.01)
        h.tick(2.02)
        #expect(h.records.map(\.index) == [0, 1])
    }

    // MARK: sessions

    @Test func aBrowserUserLogsInThenItsParkedRequestGoesWithTheSession() throws {
        var h = MachineHarness(plan: Self.plan(api: Self.managersAPI))
        let login = try #require(h.tick(0.5).first)
        #expect(login.request.url == Self.lb + "/")
        #expect(h.opened[login.slot] == true)   // the login lane's slots are timed by libcurl
        try Self.browserLogin(&h, slot: login.slot, at: 0.6)
        let sent = try #require(h.wire.first { $0.value.url.hasSuffix("/manager/api/users") })
        #expect(sent.value.cookie == "AWSELBAuthSessionCookie-0=session")
        h.answer(sent.key, .status(200, servedBy: "manager-ui"), at: 0.7)
        h.finish()
        #expect(h.logins == 1)
        #expect(h.counters(.api).ok == 1)
        // The time parked for the login is the target's: no generator lag.
        #expect((h.merged(\.generatorLag).latencyPercentiles?.max ?? 1) < 0.001)
    }

    /// A capacity search's next step: the sessions a run leaves are taken up by the next run's machine,
    /// whose first request goes out with them and no login; token times move between the runs' clocks.
    @Test func sessionsCarriedToTheNextRunGoOutWithoutALogin() throws {
        var first = MachineHarness(plan: Self.plan(api: Self.managersAPI))
        let login = try #require(first.tick(0.5).first)
        try Self.browserLogin(&first, slot: login.slot, at: 0.6)
        first.finish()
        let carried = first.machine.sessions.carried(origin: 100)
        #expect(carried.count == 1)
        #expect(carried.values.first?.cookie == "AWSELBAuthSessionCookie-0=session")

        var next = MachineHarness(plan: Self.plan(api: Self.managersAPI))
        next.machine.sessions.adopt(carried, origin: 130)
        let sent = try #require(next.tick(0.5).first)
        #expect(sent.request.url.hasSuffix("/manager/api/users"), "the request itself, not a login: \(sent.request.url)")
        #expect(sent.request.cookie == "AWSELBAuthSessionCookie-0=session")
        next.answer(sent.slot, .status(200, servedBy: "manager-ui"), at: 0.6)
        next.finish()
        #expect(next.logins == 0)
        #expect(next.counters(.api).ok == 1)

        var tokens = UserSessions(credentials: [UserCredential(username: "m", password: "p", role: .managers)], share: WorkerShare(worker: 0, workers: 1))
        tokens[0].accessToken = "a1"
        tokens[0].tokenExpiry = 50
        tokens[0].state = .active(cookie: nil, since: 1)
        let moved = tokens.carried(origin: 1_000)
        #expect(moved["m"]?.tokenExpiry == 1_050, "the monotonic clock's expiry")
        var later = UserSessions(credentials: [UserCredential(username: "m", password: "p", role: .managers)], share: WorkerShare(worker: 0, workers: 1))
        later.adopt(moved, origin: 1_040)
        #expect(later[0].tokenExpiry == 10, "ten seconds left on the new run's clock")
        #expect(later.session(of: 0, at: 6) == nil, "within 5 s of expiry: log in again")
    }

    @Test func theLoadBalancersOwn401LogsTheUserInAgainAndResendsOnce() throws {
        var h = MachineHarness(plan: Self.plan(api: Self.managersAPI))
        let login = try #require(h.tick(0.5).first)
        try Self.browserLogin(&h, slot: login.slot, at: 0.6)
        let sent = try #require(h.slot { $0.url.hasSuffix("/manager/api/users") })
        let relogin = h.answer(sent, .status(401), at: 0.7)
        #expect(relogin.first?.request.url == Self.lb + "/")
        try Self.browserLogin(&h, slot: try #require(relogin.first?.slot), at: 0.8)
        let again = try #require(h.slot { $0.url.hasSuffix("/manager/api/users") })
        h.answer(again, .status(200, servedBy: "manager-ui"), at: 0.9)
        h.finish()
        #expect(h.refreshes == 1)
        #expect(h.counters(.api).count == 1)
        #expect(h.counters(.api).ok == 1)
    }

    @Test func a401ThatABackendSentIsAMisrouteNotAnEndedSession() throws {
        var h = MachineHarness(plan: Self.plan(api: Self.managersAPI))
        let login = try #require(h.tick(0.5).first)
        try Self.browserLogin(&h, slot: login.slot, at: 0.6)
        let sent = try #require(h.slot { $0.url.hasSuffix("/manager/api/users") })
        let after = h.answer(sent, .status(401, servedBy: "analytics-ui"), at: 0.7)
        #expect(after.isEmpty)
        h.finish()
        #expect(h.refreshes == 0)
        #expect(h.counters(.api).misroutes.reduce(0, +) == 1)
    }

    @Test func initiateAuthLogsInRefreshesBeforeExpiryAndFallsBackToThePassword() throws {
        var h = MachineHarness(plan: Self.plan(api: Self.managersAPI, login: .initiateAuth))
        let login = try #require(h.tick(0.5).first)
        #expect(login.request.url == Self.idp + "/")
        #expect(String(decoding: login.request.body ?? [], as: UTF8.self).contains("USER_PASSWORD_AUTH"))
        let tokens = #"{"AuthenticationResult":{"AccessToken":"a1","RefreshToken":"r1","ExpiresIn":5.5}}"#
        h.answer(login.slot, .status(200, body: tokens), at: 0.6)
        let sent = try #require(h.wire.first { $0.value.url.hasSuffix("/manager/api/users") })
        #expect(sent.value.bearer == "a1")
        h.answer(sent.key, .status(200, servedBy: "manager-ui"), at: 0.7)
        // The next call (at 1.5) finds the token within 5 s of its expiry: refresh first.
        let refresh = try #require(h.tick(1.5).first)
        #expect(String(decoding: refresh.request.body ?? [], as: UTF8.self).contains("REFRESH_TOKEN_AUTH"))
        // The refresh token no longer works: the password again.
        let password = try #require(h.answer(refresh.slot, .status(400, body: #"{"__type":"NotAuthorizedException"}"#), at: 1.6).first)
        #expect(String(decoding: password.request.body ?? [], as: UTF8.self).contains("USER_PASSWORD_AUTH"))
        h.answer(password.slot, .status(200, body: #"{"AuthenticationResult":{"AccessToken":"a2","ExpiresIn":3600}}"#), at: 1.7)
        let second = try #require(h.wire.first { $0.value.url.hasSuffix("/manager/api/users") })
        #expect(second.value.bearer == "a2")
        h.answer(second.key, .status(200, servedBy: "manager-ui"), at: 1.8)
        h.finish()
        #expect(h.logins == 2)
        #expect(h.counters(.api).ok == 2)
    }

    @Test func aTokenShorterThanTheRefreshMarginStillCarriesTheRequestThatWaitedForIt() throws {
        var h = MachineHarness(plan: Self.plan(api: Self.managersAPI, login: .initiateAuth))
        let login = try #require(h.tick(0.5).first)
        let sent = h.answer(login.slot, .status(200, body: #"{"AuthenticationResult":{"AccessToken":"short","ExpiresIn":1}}"#), at: 0.6)
        #expect(sent.map(\.request.bearer) == ["short"])
        h.answer(try #require(sent.first?.slot), .status(200, servedBy: "manager-ui"), at: 0.7)
        // The next arrival finds it within the margin: a new login first.
        #expect(h.tick(1.5).first?.request.url == Self.idp + "/")
    }

    @Test func aFailedLoginFailsItsWaitingRequestsAndSaysWhy() throws {
        var h = MachineHarness(plan: Self.plan(api: Self.managersAPI, login: .initiateAuth))
        let login = try #require(h.tick(0.5).first)
        h.answer(login.slot, .status(400, body: #"{"__type":"NotAuthorizedException","message":"Incorrect username or password."}"#), at: 0.6)
        h.finish()
        #expect(h.loginFailures == 1)
        #expect(h.errors(.api, .auth) == 1)
        #expect(h.failures.first?.contains("login of alice failed") == true)
    }

    @Test func bearerUploadsWaitForOneTokenAndCarryIt() throws {
        let upload = UploadRequests(schedule: .constant(rate: 10), batches: [.init(events: 2, eventBytes: 100)], auth: .bearer)
        var h = MachineHarness(plan: Self.plan(connections: 4, upload: upload))
        let fetch = h.tick(0.15)
        #expect(fetch.count == 1)
        #expect(fetch.first?.request.url == Self.idp + "/oauth2/token")
        let sends = h.answer(try #require(fetch.first?.slot), .status(200, body: #"{"access_token":"t1","expires_in":3600}"#), at: 0.2)
        #expect(sends.count == 2)
        #expect(sends.allSatisfy { $0.request.bearer == "t1" && $0.request.url == "https://up.test/v1/events" })
    }

    @Test func theRequestLogLineDecodesAsARequestLogRecord() throws {
        var h = MachineHarness(plan: Self.plan(duration: 1, http: Self.constant(1), requestLog: true))
        let sent = try #require(h.tick(0.5).first)
        h.answer(sent.slot, .status(204), at: 0.52)
        var actions: [WorkerAction] = []
        h.machine.finish(into: &actions)
        guard case .post(_, let log) = try #require(actions.last) else { Issue.record("no post"); return }
        let line = try #require(String(decoding: log, as: UTF8.self).split(separator: "\n").first)
        let record = try JSONDecoder().decode(RequestLogRecord.self, from: Data(line.utf8))
        #expect(record.url == "http://t.test/ok")
        #expect(record.status == 204)
        #expect(abs((record.latency ?? 0) - 0.02) < 1e-9)
        #expect(record.phase == "steady")
    }

    @Test func aRefusedSendFailsTheRequestAndFreesItsConnection() throws {
        var h = MachineHarness(plan: Self.plan(duration: 1, http: Self.constant(10)))
        let sent = try #require(h.tick(0.05).first)
        var actions: [WorkerAction] = []
        h.machine.sendFailed(slot: sent.slot, TransportError(category: .protocol, code: 3, message: "bad URL"), at: 0.05, into: &actions)
        #expect(h.machine.busy == 0)
        #expect(h.tick(0.15).map(\.slot) == [sent.slot])
        h.finish()
        #expect(h.errors(.http, .protocol) == 1)
    }

    @Test func theDNSTTLRunningOutAsksForOneReResolveAndAFailureKeepsThePins() {
        var h = MachineHarness(plan: Self.plan(http: Self.constant(1)))
        h.machine.resolved(lookups: [0.001], ttl: 2, at: 0)
        h.tick(1.0)
        #expect(h.resolves == 0)
        h.tick(2.0)
        h.tick(3.0)
        #expect(h.resolves == 1)
        var actions: [WorkerAction] = []
        h.machine.resolveFailed("timed out", at: 3.1, into: &actions)
        h.tick(4.2)
        #expect(h.resolves == 2)
        h.finish()
        #expect(h.records.reduce(0) { $0 + $1.dnsFailures } == 1)
    }
}
