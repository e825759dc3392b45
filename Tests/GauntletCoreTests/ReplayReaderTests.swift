import Foundation
import Testing
@testable import GauntletCore

@Suite("HAR 1.2 and Gauntlet request-log readers")
struct ReplayReaderTests {
    @Test func harEdgeCases() throws {
        var reader = try HARReader(path: ReplayFixtures.path("har-edge-cases.har"))
        #expect(reader.entryCount == 4)
        var requests: [RecordedRequest] = []
        while let request = try reader.next() { requests.append(request) }
        // The data: URL is skipped and counted; the reset POST has no status.
        #expect(requests.count == 3)
        #expect(reader.skipped.count == 1)
        #expect(reader.skipped.examples[0].message.contains("entries[2].request.url"))
        #expect(requests[0].method == "GET")
        #expect(requests[0].host == "example.logs.gauntlet.test")
        #expect(requests[0].pathAndQuery == "/manager/")
        #expect(requests[0].status == 200)
        #expect(requests[0].processingTime == 0.0215)
        #expect(requests[0].time == ISO8601Time.parse("2026-11-28T23:50:01.100Z"))
        #expect(requests[1].time - requests[0].time > 0.2099 && requests[1].time - requests[0].time < 0.2101)
        #expect(requests[1].pathAndQuery == "/manager/api/users?page=1")
        #expect(requests[2].status == nil)
        #expect(requests[2].processingTime == nil)
        #expect(Set(requests.map(\.clientKey)).count == 1)
        #expect(requests.map(\.position.line) == [1, 2, 4])
    }

    @Test func aHARThatIsNotJSONSaysWhere() {
        let text = "{\n  \"log\": {\n    \"entries\": [\n      { \"startedDateTime\": \"x\",, }\n"
        do {
            _ = try HARReader(name: "broken.har", data: Data(text.utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 4)
            #expect(error.column == 32)
            #expect(error.message.contains("not a HAR file"))
        }
        do {
            _ = try HARReader(name: "html.har", data: Data("<html>".utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("html.har:1:1: not a HAR file"))
        }
        do {
            _ = try HARReader(name: "cut.har", data: Data("{\"log\": {\"entries\": [".utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("truncated"))
        }
    }

    @Test func aHARWithTheWrongShapeNamesTheField() {
        do {
            _ = try HARReader(name: "shape.har", data: Data(#"{"log": {"entries": [{"startedDateTime": "2026-01-01T00:00:00Z", "request": {"method": "GET"}, "response": {"status": 200}}]}}"#.utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("log.entries[0].request.url"))
        }
    }

    @Test func requestLogRecordsRoundTrip() throws {
        let record = RequestLogRecord(
            intendedTime: 1.5, type: .api, method: "GET", url: "https://example.logs.gauntlet.test/manager/api/users",
            status: 200, latency: 0.012, serviceTime: 0.010, user: "managers-1", role: .managers, phase: "steady"
        )
        let line = record.jsonLine()
        #expect(line.contains(#""t":1.5"#))
        #expect(line.contains(#""service_time":0.01"#))
        #expect(!line.contains("\n"))
        var reader = RequestLogReader(MemoryChunkSource(name: "r.jsonl", text: line + "\n"))
        let (decoded, number) = try #require(try reader.nextRecord())
        #expect(decoded == record)
        #expect(number == 1)
    }

    @Test func requestLogReaderMapsAndSkips() throws {
        let text = try String(contentsOfFile: ReplayFixtures.path("requests.jsonl"), encoding: .utf8)
            + "{\"t\": 2, \"type\": \"ui\"\n{\"t\": 3, \"type\": \"warp\", \"method\": \"GET\", \"url\": \"/\"}\n"
        var reader = RequestLogReader(MemoryChunkSource(name: "requests.jsonl", text: text, chunkSize: 50))
        var requests: [RecordedRequest] = []
        while let request = try reader.next() { requests.append(request) }
        #expect(requests.count == 4)
        #expect(requests.map(\.role) == [.managers, .analysts, nil, .managers])
        // The log's own type is believed over host and path.
        #expect(requests.map(\.type) == [.ui, .api, .upload, .api])
        var generic = requests[0]
        generic.type = .http
        #expect(ReplayClassifier.classify(generic).type == .http)
        #expect(requests.map(\.clientKey) == ["managers-0", "analysts-0", "anonymous", "managers-0"])
        #expect(requests[2].status == nil)
        #expect(requests[2].host == "upload.example.logs.gauntlet.test")
        #expect(reader.skipped.count == 2)
        #expect(reader.skipped.examples.map(\.line) == [5, 6])
        #expect(reader.skipped.examples[0].message.contains("invalid JSON"))
        #expect(reader.skipped.examples[1].message.contains("type"))
    }
}

@Suite("Replay mapping, planning and comparison")
struct ReplayPlanTests {
    func request(_ time: Double, _ path: String, host: String = "example.logs.gauntlet.test", method: String = "GET",
                 status: Int? = 200, client: String = "c1", line: Int = 1) -> RecordedRequest {
        RecordedRequest(time: time, method: method, host: host, pathAndQuery: path, status: status, clientKey: client,
                        position: .init(file: "rec.log", line: line))
    }

    @Test(arguments: [
        ("POST", "upload.example.logs.gauntlet.test", "/v1/events", RequestType.upload, Role?.none, false),
        ("POST", "example.logs.gauntlet.test", "/v1/events", .upload, nil, false),
        ("GET", "example.logs.gauntlet.test", "/manager/api/users", .api, .managers, false),
        ("DELETE", "example.logs.gauntlet.test", "/analytics/api/saved/3", .api, .analysts, false),
        ("GET", "example.logs.gauntlet.test", "/manager/", .ui, .managers, false),
        ("GET", "example.logs.gauntlet.test", "/analytics", .ui, .analysts, false),
        ("GET", "example.logs.gauntlet.test", "/static/app.js", .ui, nil, false),
        ("POST", "example.logs.gauntlet.test", "/feedback", .http, nil, false),
        ("GET", "example.logs.gauntlet.test", "/oauth2/idpresponse", .ui, nil, true),
        ("POST", "auth.example.logs.gauntlet.test", "/login", .ui, nil, true),
        ("GET", "example.logs.gauntlet.test", "/managerial", .ui, nil, false),
    ])
    func classification(method: String, host: String, path: String, type: RequestType, role: Role?, auth: Bool) {
        let result = ReplayClassifier.classify(method: method, host: host, path: path)
        #expect(result == .init(type: type, role: role, isAuthFlow: auth))
    }

    @Test func clientsMapConsistentlyAndLearnTheirRole() {
        var mapper = VirtualUserMapper()
        #expect(mapper.assign(clientKey: "a", role: nil) == .init(client: 0, role: nil))
        #expect(mapper.assign(clientKey: "b", role: .analysts) == .init(client: 1, role: .analysts))
        #expect(mapper.assign(clientKey: "a", role: .managers) == .init(client: 0, role: .managers))
        // A role, once learned, sticks: the same recorded session stays one user.
        #expect(mapper.assign(clientKey: "a", role: .analysts) == .init(client: 0, role: .managers))
        #expect(mapper.assign(clientKey: "a", role: nil) == .init(client: 0, role: .managers))
        #expect(mapper.clientCount == 2)
        #expect(mapper.clientsByRole[.managers] == 1)
    }

    @Test func speedScalesRecordedInterArrivalTimes() throws {
        var planner = try ReplayPlanner(options: .init(pacing: .speed(2)))
        let times = [1000.0, 1000.5, 1002.0, 1010.0]
        let offsets = times.compactMap { planner.plan(request($0, "/manager/"))?.offset }
        #expect(offsets == [0, 0.25, 1.0, 5.0])
        #expect(planner.recordedSpan == 10)
        #expect(planner.counts.planned == 4)
    }

    @Test func rateRepacesInRecordedOrder() throws {
        var planner = try ReplayPlanner(options: .init(pacing: .rate(4)))
        let offsets = [5.0, 5.0, 90.0, 91.0].compactMap { planner.plan(request($0, "/"))?.offset }
        #expect(offsets == [0, 0.25, 0.5, 0.75])
    }

    @Test func windowAndMatchFilter() throws {
        var planner = try ReplayPlanner(options: .init(
            pacing: .speed(1), from: .offset(10), to: ReplayOptions.TimeBound("+30s"), match: "^/manager/api/"
        ))
        let input = [(100.0, "/manager/api/a"), (111.0, "/manager/api/b"), (112.0, "/analytics/api/c"),
                     (125.0, "/manager/api/d?x=1"), (131.0, "/manager/api/e")]
        let planned = input.compactMap { planner.plan(request($0.0, $0.1)) }
        #expect(planned.map(\.request.path) == ["/manager/api/b", "/manager/api/d"])
        #expect(planned.map(\.offset) == [0, 14])
        #expect(planner.counts.outsideWindow == 2)
        #expect(planner.counts.unmatched == 1)
    }

    @Test func absoluteWindowBoundsAndAuthFlowSkipping() throws {
        #expect(ReplayOptions.TimeBound("2026-11-29T00:12:04Z") == .absolute(ISO8601Time.parse("2026-11-29T00:12:04Z")!))
        #expect(ReplayOptions.TimeBound("1m30s") == .offset(90))
        #expect(ReplayOptions.TimeBound("soon") == nil)
        var planner = try ReplayPlanner(options: .init())
        #expect(planner.plan(request(0, "/oauth2/idpresponse?code=x")) == nil)
        #expect(planner.counts.authFlow == 1)
        var withAuth = try ReplayPlanner(options: .init(includeAuthFlow: true))
        #expect(withAuth.plan(request(0, "/oauth2/idpresponse?code=x"))?.classification.isAuthFlow == true)
    }

    @Test func outOfOrderRecordsNeverGoBackwards() throws {
        var planner = try ReplayPlanner(options: .init())
        let offsets = [10.0, 12.0, 11.5, 13.0].compactMap { planner.plan(request($0, "/"))?.offset }
        #expect(offsets == [0, 2, 2, 3])
        #expect(planner.counts.reordered == 1)
    }

    @Test func badOptionsAreNamed() {
        #expect(throws: ReplayOptionsError(option: "--speed", message: "expected a positive factor such as 2 or 0.5, got 0.0")) {
            try ReplayPlanner(options: .init(pacing: .speed(0)))
        }
        #expect(throws: ReplayOptionsError.self) { try ReplayPlanner(options: .init(pacing: .rate(-1))) }
        #expect(throws: ReplayOptionsError(option: "--match", message: "not a valid regular expression: \"(unclosed\"")) {
            try ReplayPlanner(options: .init(match: "(unclosed"))
        }
        #expect(throws: ReplayOptionsError.self) { try ReplayPlanner(options: .init(from: .offset(10), to: .offset(5))) }
    }

    @Test func plannedUsersFollowRecordedClients() throws {
        var planner = try ReplayPlanner(options: .init())
        let planned = [
            request(0, "/", client: "x"), request(1, "/manager/", client: "x"), request(2, "/analytics/", client: "y"),
            request(3, "/manager/api/users", client: "x"),
        ].compactMap { planner.plan($0) }
        #expect(planned.map(\.user.client) == [0, 0, 1, 0])
        #expect(planned.map(\.user.role) == [nil, .managers, .analysts, .managers])
        #expect(planner.counts.byType == [.ui: 3, .api: 1])
    }

    @Test func pathPatterns() {
        #expect(PathPattern.of("/manager/api/users/42?x=1") == "/manager/api/users/{n}")
        #expect(PathPattern.of("/a/123e4567-e89b-12d3-a456-426614174000/b") == "/a/{uuid}/b")
        #expect(PathPattern.of("/blob/0123456789abcdef0123") == "/blob/{hex}")
        #expect(PathPattern.of("/") == "/")
        #expect(PathPattern.of("/manager/") == "/manager/")
    }

    @Test func comparisonShowsExactlyTheChangedPaths() {
        var comparison = ReplayComparison()
        for id in 1...3 {
            comparison.add(request(0, "/manager/api/users/\(id)", line: id), replayedStatus: 200, replayedLatency: 0.02)
        }
        comparison.add(request(0, "/analytics/api/search", line: 7), replayedStatus: 404)
        comparison.add(request(0, "/analytics/api/search", line: 8), replayedStatus: 404)
        comparison.add(request(0, "/analytics/", status: 200, line: 9), replayedStatus: nil)
        #expect(comparison.total == 6)
        #expect(comparison.matched == 3)
        #expect(comparison.differed == 3)
        #expect(comparison.changedPatterns == ["GET /analytics/", "GET /analytics/api/search"])
        let search = comparison.differences.first { $0.pattern == "/analytics/api/search" }
        #expect(search?.count == 2)
        #expect(search?.example == .init(file: "rec.log", line: 7))
        let text = comparison.renderText()
        #expect(text.contains("3 of 6 replayed requests differ"))
        #expect(text.contains("GET     /analytics/api/search  200       404       2      rec.log:7"))
        var same = ReplayComparison()
        same.add(request(0, "/"), replayedStatus: 200)
        #expect(same.renderText() == "statuses: all 1 replayed requests got the recorded status")
    }

    @Test func latencyAgainstRecordedProcessingTime() {
        var comparison = ReplayComparison()
        var recorded = request(0, "/manager/api/users")
        recorded.processingTime = 0.010
        comparison.add(recorded, replayedStatus: 200, replayedLatency: 0.030)
        comparison.add(recorded, replayedStatus: 200, replayedLatency: 0.050)
        comparison.add(request(0, "/manager/api/users"), replayedStatus: 200, replayedLatency: 1)
        let row = comparison.latency.first
        #expect(row?.count == 2)
        #expect(row?.recordedMean == 0.010)
        #expect(row?.replayedMean == 0.040)
    }
}

@Suite("Replay round trip: plan, replayed log, what changed")
struct ReplayRoundTripTests {
    /// Plans the stack's recorded access log, "replays" it by writing the request log a replay would
    /// write (with one route changed), and checks that exactly that route shows up as changed.
    @Test func aRemovedRouteShowsUpForExactlyItsPaths() throws {
        var reader = try ALBLogReader(FileChunkSource(path: ReplayFixtures.path("stack-access.log")), identity: .connection)
        var planner = try ReplayPlanner(options: .init(pacing: .speed(2)))
        var plan: [PlannedReplayRequest] = []
        while let request = try reader.next() {
            if let planned = planner.plan(request) { plan.append(planned) }
        }
        // The login-flow callback is left to the virtual users; the rest keeps its recorded timing / 2.
        #expect(plan.count == 4)
        #expect(planner.counts.authFlow == 1)
        #expect(plan.map(\.classification.type) == [.ui, .ui, .api, .api])
        #expect(abs(plan.last!.offset - (ISO8601Time.parse("2026-11-29T00:12:04.004Z")! - ISO8601Time.parse("2026-11-29T00:12:03.118Z")!) / 2) < 1e-6)
        var matcher = ReplayMatcher()
        for planned in plan { matcher.expect(planned.request) }
        var comparison = ReplayComparison()
        for planned in plan {
            let request = planned.request
            // The replay target no longer routes /manager/api/*: those now get 404.
            let status = request.path.hasPrefix("/manager/api/") ? 404 : request.status
            let replayed = RequestLogRecord(
                intendedTime: planned.offset, type: planned.classification.type, method: request.method,
                url: "https://\(request.host)\(request.pathAndQuery)", status: status, latency: 0.012, serviceTime: 0.010
            )
            let decoded = try JSONDecoder().decode(RequestLogRecord.self, from: Data(replayed.jsonLine().utf8))
            let match = matcher.match(decoded)
            let recorded = try #require(match)
            comparison.add(recorded, replayedStatus: decoded.status, replayedLatency: decoded.latency)
        }
        #expect(matcher.unreplayed == 0)
        #expect(matcher.unexpected == 0)
        #expect(comparison.changedPatterns == ["GET /manager/api/users"])
        #expect(comparison.matched == 3)
        #expect(abs(matcher.lag(quantile: 0.99)! - 0.002) < 1e-9)
    }

    @Test func matcherPairsInOrderPerURL() {
        var matcher = ReplayMatcher()
        let a1 = RecordedRequest(time: 0, method: "GET", host: "h", pathAndQuery: "/a", status: 200, clientKey: "c", position: .init(file: "f", line: 1))
        var a2 = a1
        a2.position.line = 2
        a2.status = 500
        matcher.expect(a1)
        matcher.expect(a2)
        let replay = RequestLogRecord(intendedTime: 0, type: .ui, method: "get", url: "https://h/a", status: 200)
        #expect(matcher.match(replay)?.position.line == 1)
        #expect(matcher.match(replay)?.position.line == 2)
        #expect(matcher.match(replay) == nil)
        #expect(matcher.unexpected == 1)
        #expect(matcher.match(RequestLogRecord(intendedTime: 0, type: .ui, method: "GET", url: "/b", status: 200)) == nil)
        #expect(matcher.unreplayed == 0)
    }
}
