import Foundation
import GauntletCore
import Testing
@testable import GauntletReports

@Suite("planning replay sources")
struct ReplaySourcePlanTests {
    func temporaryFile(_ name: String, _ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gauntlet-\(UUID().uuidString)-\(name)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aGzipLogIsPlannedInIntendedOrder() throws {
        var plan = try ReplaySourcePlan(
            sources: [ReportsFixtures.path("aws-doc-examples.log.gz")], planner: ReplayPlanner(options: .init(pacing: .speed(1))))
        var offsets: [Double] = []
        while let planned = try plan.next() { offsets.append(planned.offset) }
        #expect(plan.summary.planner.counts.seen == 7)
        #expect(offsets.count == plan.summary.planner.counts.planned)
        #expect(offsets == offsets.sorted())
        #expect(plan.summary.lastOffset == offsets.last ?? 0)
    }

    @Test func relativeAndWallClockSourcesAreNotMerged() throws {
        let log = try temporaryFile("requests.jsonl", RequestLogRecord(intendedTime: 0.5, type: .ui, method: "GET", url: "https://h/", status: 200).jsonLine() + "\n")
        defer { try? FileManager.default.removeItem(atPath: log) }
        let alb = ReportsFixtures.path("aws-doc-examples.log.gz")
        let error = #expect(throws: ReplayIssue.self) {
            _ = try ReplaySourcePlan(sources: [log, alb], planner: ReplayPlanner(options: .init()))
        }
        #expect(error?.file == alb)
        #expect(error?.message.contains("cannot be merged with the Gauntlet request log \(log)") == true)
    }

    @Test func aRequestLogIsReadWholeInWrittenOrder() throws {
        let records = [
            RequestLogRecord(intendedTime: 0.2, type: .api, method: "GET", url: "https://h/b", status: 401),
            RequestLogRecord(intendedTime: 0.1, type: .ui, method: "GET", url: "https://h/a", status: 200),
        ]
        let log = try temporaryFile("requests.jsonl", records.map { $0.jsonLine() + "\n" }.joined())
        defer { try? FileManager.default.removeItem(atPath: log) }
        #expect(try ReplaySourceFiles.requestLog(log) == records)
    }
}
