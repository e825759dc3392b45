import Foundation
import Testing
@testable import GauntletCore

/// The pure halves of `gauntlet replay`: the plan's summary and file lines, and the replayed log paired
/// with the plan.
@Suite struct ReplayOutcomeTests {
    /// The stack's access-log fixture planned at twice its speed, with the counts the planner left.
    static func plan() throws -> (plan: [PlannedReplayRequest], summary: ReplayPlanSummary) {
        var reader = try ALBLogReader(FileChunkSource(path: ReplayFixtures.path("stack-access.log")), identity: .connection)
        var planner = try ReplayPlanner(options: .init(pacing: .speed(2)))
        var plan: [PlannedReplayRequest] = []
        while let request = try reader.next() {
            if let planned = planner.plan(request) { plan.append(planned) }
        }
        return (plan, ReplayPlanSummary(planner: planner, lastOffset: plan.last?.offset ?? 0, skipped: reader.skipped))
    }

    /// What the replay's request log would hold: each planned request answered `status(request)`,
    /// 2 ms late, written in reverse (completion) order.
    static func replayed(_ plan: [PlannedReplayRequest], status: (RecordedRequest) -> Int?) -> [RequestLogRecord] {
        plan.reversed().map { planned in
            RequestLogRecord(
                intendedTime: planned.offset, type: planned.classification.type, method: planned.request.method,
                url: "https://\(planned.request.host)\(planned.request.pathAndQuery)", status: status(planned.request),
                latency: 0.012, serviceTime: 0.010)
        }
    }

    @Test func thePlanSummarySaysWhatWasKeptAndWhatWasLeftOut() throws {
        let (plan, summary) = try Self.plan()
        let text = summary.renderText()
        #expect(text.hasPrefix("replay plan: \(plan.count) of \(summary.planner.counts.seen) recorded requests (ui 2, api 2)"))
        #expect(text.contains("1 login-flow steps (users log in themselves)"))
        #expect(!text.contains("skipped"))
    }

    @Test func aPlanLineIsARequestLogRecordWithTheRecordedFigures() throws {
        let (plan, _) = try Self.plan()
        let planned = try #require(plan.first)
        let line = planned.logRecord.jsonLine()
        let decoded = try JSONDecoder().decode(RequestLogRecord.self, from: Data(line.utf8))
        #expect(decoded.intendedTime == planned.offset)
        #expect(decoded.status == planned.request.status)
        #expect(decoded.serviceTime == planned.request.processingTime)
        #expect(decoded.user == "client-\(planned.user.client)")
        #expect(decoded.url.hasPrefix("https://\(planned.request.host)/"))
    }

    @Test func aChangedRouteIsPairedInIntendedOrderAndReported() throws {
        let (plan, summary) = try Self.plan()
        var matcher = ReplayMatcher()
        for planned in plan { matcher.expect(planned.request) }
        let records = Self.replayed(plan) { $0.path.hasPrefix("/manager/api/") ? 404 : $0.status }
        let outcome = ReplayOutcome(matcher: matcher, replayed: records)
        #expect(outcome.comparison.changedPatterns == ["GET /manager/api/users"])
        #expect(outcome.changed)
        #expect(outcome.replayedByType == [.ui: 2, .api: 2])
        #expect(abs(outcome.sentSpan - (summary.lastOffset + 0.002)) < 1e-9)
        let text = outcome.renderText()
        #expect(text.contains("schedule lag: p50"))
        #expect(text.contains("latency vs recorded processing time (means):"))
        let report = ReplayReport(plan: summary, outcome: outcome)
        #expect(report.plannedSpan == summary.lastOffset)
        #expect(report.sentSpan == outcome.sentSpan)
    }

    @Test func aFaithfulReplayIsUnchangedAndAMissingRequestIsNot() throws {
        let (plan, _) = try Self.plan()
        var matcher = ReplayMatcher()
        for planned in plan { matcher.expect(planned.request) }
        let records = Self.replayed(plan) { $0.status }
        #expect(!ReplayOutcome(matcher: matcher, replayed: records).changed)
        let missing = ReplayOutcome(matcher: matcher, replayed: Array(records.dropFirst()))
        #expect(missing.changed)
        #expect(missing.matcher.unreplayed == 1)
        #expect(missing.renderText().contains("1 planned requests missing from the replay's log"))
    }
}
