import Foundation
import Testing
@testable import GauntletCore
@testable import GauntletDriver

/// How planned replay requests become driver items, and how a replay's users and lanes are set up.
@Suite struct ReplayItemTests {
    func planned(_ path: String, method: String = "GET", status: Int?, host: String = "example.logs.gauntlet.test", client: String = "c1", offset: Double = 1.5) -> PlannedReplayRequest {
        var planner = try! ReplayPlanner(options: ReplayOptions())
        let request = RecordedRequest(
            time: 100, method: method, scheme: "https", host: host, pathAndQuery: path, status: status, clientKey: client,
            position: .init(file: "a.log", line: 1))
        var result = planner.plan(request)!
        result.offset = offset
        return result
    }

    @Test("sessions: a 401 or a page load sent to login replays anonymous; others as the path's role")
    func sessions() {
        #expect(ReplayItem(planned("/manager/api/users", status: 401)).user == nil)
        #expect(ReplayItem(planned("/analytics/", status: 302)).user == nil)
        let manager = ReplayItem(planned("/manager/api/users?page=2", status: 200))
        #expect(manager.user == ReplayItem.User(id: 0, role: .managers))
        #expect(manager.type == .api && manager.path == "/manager/api/users" && manager.pathAndQuery == "/manager/api/users?page=2")
        #expect(manager.intended == 1.5)
        #expect(ReplayItem(planned("/analytics/", status: 200)).user?.role == .analysts)
        // A 403 still had a session (the wrong role's): it is sent by a user.
        #expect(ReplayItem(planned("/manager/", status: 403)).user != nil)
        // Uploads carry no user: the gateway takes API keys.
        let upload = ReplayItem(planned("/v1/events", method: "POST", status: 202, host: "upload.example.logs.gauntlet.test"))
        #expect(upload.type == .upload && upload.user == nil && upload.method == "POST")
    }

    @Test("a recorded API body (a HAR's postData) is sent as recorded; page loads and uploads carry none of it")
    func recordedBodies() {
        var planner = try! ReplayPlanner(options: ReplayOptions())
        let json = #"{"name":"web-frontend","kind":"http","description":""}"#
        let create = planner.plan(RecordedRequest(
            time: 100, method: "POST", scheme: "https", host: "example.logs.gauntlet.test", pathAndQuery: "/manager/api/sources",
            status: 201, clientKey: "har:x", body: json, position: .init(file: "x.har", line: 1)))!
        let item = ReplayItem(create)
        #expect(item.type == .api && item.method == "POST")
        #expect(item.body == Array(json.utf8))
        #expect(ReplayItem(planned("/manager/api/sources", status: 200)).body == nil)
        let upload = planner.plan(RecordedRequest(
            time: 101, method: "POST", scheme: "https", host: "upload.example.logs.gauntlet.test", pathAndQuery: "/v1/events",
            status: 202, clientKey: "har:x", body: "{}", position: .init(file: "x.har", line: 2)))!
        // Uploads are generated batches (sized by bodyBytes), never the recorded text.
        #expect(ReplayItem(upload).body == nil)
    }

    @Test("the replay's scenario: one phase as long as the stream, its types, one user per distinct replay user and role")
    func scenario() {
        let items = [
            ReplayItem(intended: 0, type: .ui, method: "GET", pathAndQuery: "/manager/", user: .init(id: 0, role: .managers)),
            ReplayItem(intended: 1, type: .api, method: "GET", pathAndQuery: "/analytics/api/search", user: .init(id: 0, role: .analysts)),
            ReplayItem(intended: 2, type: .api, method: "GET", pathAndQuery: "/analytics/api/search", user: .init(id: 3, role: .analysts)),
            ReplayItem(intended: 4, type: .ui, method: "GET", pathAndQuery: "/analytics/", user: nil),
        ]
        let scenario = Driver.replayScenario(items, settings: ReplaySettings(connections: 4))
        #expect(scenario.duration == 5)
        #expect(scenario.requestTypes == [.ui, .api])
        #expect(scenario.users.managers == 1 && scenario.users.analysts == 2)
        #expect(scenario.http.requestLog)
    }

    @Test("a replay user keeps one credential of its role")
    func credentials() {
        var target = ResolvedTarget(lb: "https://lb")
        target.users = [
            UserCredential(username: "m1", password: "p", role: .managers), UserCredential(username: "a1", password: "p", role: .analysts),
            UserCredential(username: "m2", password: "p", role: .managers),
        ]
        let plan = RunPlan(scenario: Driver.replayScenario([], settings: ReplaySettings()), target: target, workers: 2)
        #expect(plan.credential(for: .init(id: 0, role: .managers)) == 0)
        #expect(plan.credential(for: .init(id: 1, role: .managers)) == 2)
        #expect(plan.credential(for: .init(id: 2, role: .managers)) == 0)
        #expect(plan.credential(for: .init(id: 5, role: .analysts)) == 1)
        target.users.removeLast(2)
        #expect(RunPlan(scenario: plan.scenario, target: target, workers: 1).credential(for: .init(id: 0, role: .analysts)) == nil)
    }

    @Test("the matcher pairs by session: an anonymous and a logged-in request to one URL are not crossed")
    func matcherBySession() {
        let anonymous = RecordedRequest(time: 1, method: "GET", host: "h", pathAndQuery: "/manager/api/users", status: 401, clientKey: "c", position: .init(file: "a", line: 1))
        let loggedIn = RecordedRequest(time: 1, method: "GET", host: "h", pathAndQuery: "/manager/api/users", status: 200, clientKey: "c", position: .init(file: "a", line: 2))
        var matcher = ReplayMatcher()
        matcher.expect(loggedIn, withSession: true)
        matcher.expect(anonymous, withSession: false)
        // The anonymous one finished first in the replay's log.
        let first = matcher.match(RequestLogRecord(intendedTime: 1, type: .api, method: "GET", url: "https://lb/manager/api/users", status: 401, user: nil))
        let second = matcher.match(RequestLogRecord(intendedTime: 1, type: .api, method: "GET", url: "https://lb/manager/api/users", status: 200, user: "m1"))
        #expect(first?.position.line == 1)
        #expect(second?.position.line == 2)
        #expect(matcher.unreplayed == 0 && matcher.unexpected == 0)
    }
}
