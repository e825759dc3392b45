import Foundation
import Testing
@testable import GauntletCore

/// Over a HAR that headless Chromium really wrote (scripts/verify/chromium_har.sh --scrub): a manager
/// logs in through the hosted UI, then opens the overview, users, sources, API keys and retention pages,
/// each of which loads its data from /manager/api/… with fetch, and adds a source through the sources
/// page's form (a fetch POST with a JSON body).
@Suite("A HAR recorded by Chromium using the Manager UI")
struct ReplayChromiumHARTests {
    static let fixture = "chromium-manager.har"

    /// The entries as the fixture's JSON says, read without the reader under test.
    struct RawEntry {
        var method: String
        var url: String
        var status: Int
        var wait: Double
        var started: String
    }

    static func rawEntries() throws -> [RawEntry] {
        let data = try Data(contentsOf: URL(fileURLWithPath: ReplayFixtures.path(fixture)))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let log = try #require(root["log"] as? [String: Any])
        let entries = try #require(log["entries"] as? [[String: Any]])
        return try entries.map { entry in
            let request = try #require(entry["request"] as? [String: Any])
            let response = try #require(entry["response"] as? [String: Any])
            let timings = try #require(entry["timings"] as? [String: Any])
            return RawEntry(
                method: try #require(request["method"] as? String), url: try #require(request["url"] as? String),
                status: try #require(response["status"] as? Int), wait: try #require(timings["wait"] as? Double),
                started: try #require(entry["startedDateTime"] as? String))
        }
    }

    static func readAll() throws -> (HARReader, [RecordedRequest]) {
        var reader = try HARReader(path: ReplayFixtures.path(fixture))
        var requests: [RecordedRequest] = []
        while let request = try reader.next() { requests.append(request) }
        return (reader, requests)
    }

    @Test func everyEntryIsReadWithItsMethodURLStatusAndTiming() throws {
        let raw = try Self.rawEntries()
        let (reader, requests) = try Self.readAll()
        #expect(raw.count == 23)
        #expect(reader.entryCount == raw.count)
        #expect(reader.skipped.count == 0)
        try #require(requests.count == raw.count)
        for (request, entry) in zip(requests, raw) {
            let parts = try #require(URLParts(entry.url))
            #expect(request.method == entry.method)
            #expect(request.scheme == "https")
            #expect(request.host == parts.host)
            #expect(request.pathAndQuery == parts.pathAndQuery)
            #expect(request.status == entry.status)
            #expect(request.time == ISO8601Time.parse(entry.started))
            #expect(abs((request.processingTime ?? -1) - entry.wait / 1000) < 1e-9)
        }
        // One browser: one client, so the replay keeps it one session.
        #expect(Set(requests.map(\.clientKey)).count == 1)
        #expect(requests.map(\.position.line) == Array(1...raw.count))
        // Chromium writes millisecond times in start order; the recording spans under a few seconds.
        #expect(zip(requests, requests.dropFirst()).allSatisfy { $0.time <= $1.time })
        #expect(requests.last!.time - requests.first!.time > 1 && requests.last!.time - requests.first!.time < 10)
    }

    @Test func theLoginFlowIsRecordedAsChromiumSawIt() throws {
        let (_, requests) = try Self.readAll()
        let steps = requests.prefix(7).map { "\($0.method) \($0.host) \($0.path) \($0.status ?? 0)" }
        #expect(steps == [
            "GET example.logs.gauntlet.test / 302",
            "GET auth.example.logs.gauntlet.test /oauth2/authorize 302",
            "GET auth.example.logs.gauntlet.test /login 200",
            "GET auth.example.logs.gauntlet.test /favicon.ico 404",
            "POST auth.example.logs.gauntlet.test /login 302",
            "GET example.logs.gauntlet.test /oauth2/idpresponse 302",
            "GET example.logs.gauntlet.test / 200",
        ])
        // Scrubbed before it was committed: the one-time code survives only as a placeholder.
        #expect(requests[5].pathAndQuery == "/oauth2/idpresponse?code=REDACTED&state=REDACTED")
        // The login form's body is read (scrubbed too), and so is the sources form's JSON; GETs have none.
        #expect(requests[4].body?.contains("username=manager-001") == true)
        #expect(requests[4].body?.contains("password=REDACTED") == true)
        #expect(requests[16].method == "POST" && requests[16].path == "/manager/api/sources" && requests[16].status == 201)
        #expect(requests[16].body == #"{"name":"har-replay-source","kind":"http","description":""}"#)
        #expect(requests.enumerated().allSatisfy { [4, 16].contains($0.offset) || $0.element.body == nil })
    }

    @Test func thePlanKeepsThePagesAndAPICallsAndLeavesTheLoginToTheUser() throws {
        var reader = try HARReader(path: ReplayFixtures.path(Self.fixture))
        var planner = try ReplayPlanner(options: ReplayOptions(pacing: .speed(2)))
        var planned: [PlannedReplayRequest] = []
        while let request = try reader.next() {
            if let item = planner.plan(request) { planned.append(item) }
        }
        #expect(planner.counts.seen == 23)
        #expect(planner.counts.authFlow == 5)
        #expect(planner.counts.planned == 18)
        #expect(planner.counts.byType == [.ui: 7, .api: 11])
        #expect(planned.allSatisfy { $0.request.host == "example.logs.gauntlet.test" })
        let api = planned.filter { $0.classification.type == .api }
        #expect(api.allSatisfy { $0.request.path.hasPrefix("/manager/api/") })
        #expect(api.map { "\($0.request.method) \($0.request.status ?? 0)" }.filter { $0 != "GET 200" } == ["POST 201"])
        let pages = planned.filter { $0.classification.type == .ui }.map(\.request.path)
        #expect(pages == ["/", "/", "/favicon.ico", "/manager/users", "/manager/sources", "/manager/api-keys", "/manager/retention"])
        // The first page load was answered without a session (302 to the login), the rest with one.
        #expect(planned[0].request.status == 302)
        #expect(planned.dropFirst().allSatisfy { $0.request.status != 302 })
        // One recorded browser becomes one manager.
        #expect(Set(planned.map(\.user.client)) == [0])
        #expect(planner.clientsByRole == [.managers: 1])
        // --speed 2 halves the recorded span.
        #expect(abs(planned.last!.offset - planner.recordedSpan / 2) < 1e-9)
        #expect(planned.first!.offset == 0)
    }
}
