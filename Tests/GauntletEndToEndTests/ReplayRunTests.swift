import Foundation
import GauntletCore
import Testing

/// The replay round trip as a user runs it: `gauntlet run` on the embedded stack records the LB's access
/// log into its results, and `gauntlet replay RUN_DIR/access.log` sends it again (twice as fast) against a
/// fresh embedded stack, through the same driver, oracle and results.
@Suite("gauntlet replay of a recorded run", .serialized)
struct ReplayRunTests {
    func gauntlet(_ arguments: [String]) throws -> GauntletProcess.Invocation {
        try GauntletProcess.run(arguments)
    }

    func workDirectory() throws -> URL {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("gauntlet-replay-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        return work
    }

    /// Every audience matches its path's role, or is anonymous: what an access log lets replay recover.
    static let scenario = """
        name: replay-source
        seed: 11
        target: embedded
        users: { managers: 2, analysts: 2 }
        warmup: 1s
        duration: 5s
        http: { connections: 8, timeout: 5s }
        requests:
          ui:
            schedule: { kind: constant, rate: 8 }
            pages: [ { path: /manager/, as: managers }, { path: /analytics/, as: analysts }, { path: /analytics/, as: anonymous } ]
          api:
            schedule: { kind: poisson, rate: 16 }
            calls: [ { path: "/analytics/api/search?q=x", as: analysts }, { path: /manager/api/users, as: managers }, { path: /manager/api/users, as: anonymous } ]
        thresholds: [ "routing.misroutes == 0" ]
        """

    @Test("a recorded run replayed at --speed 2: same count and mix, the recorded statuses, in about half the span")
    func roundTrip() throws {
        let work = try workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let scenario = work.appendingPathComponent("scenario.yaml")
        try Self.scenario.write(to: scenario, atomically: true, encoding: .utf8)
        let runDirectory = work.appendingPathComponent("run")
        let run = try gauntlet(["run", scenario.path, "--out", runDirectory.path, "--quiet"])
        try #require(run.exitCode == 0, "\(run.output)")
        let accessLog = runDirectory.appendingPathComponent("access.log")

        let replayDirectory = work.appendingPathComponent("replay")
        let started = Date()
        let replay = try gauntlet(["replay", accessLog.path, "--speed", "2", "--out", replayDirectory.path, "--quiet"])
        let wall = Date().timeIntervalSince(started)
        #expect(replay.exitCode == 0, "\(replay.output)")
        let data = try Data(contentsOf: replayDirectory.appendingPathComponent("replay.json"))
        let report = try JSONDecoder().decode(ReplayReport.self, from: data)

        // Same request count and mix as the recording (its login-flow steps aside).
        #expect(report.planned > 60, "\(report.planned)")
        #expect(report.replayed == report.planned)
        #expect(report.replayedByType == report.plannedByType, "\(report.replayedByType) vs \(report.plannedByType)")
        #expect(report.unreplayed == 0 && report.unexpected == 0)
        // Every status as recorded.
        #expect(report.statusesCompared == report.planned)
        #expect(report.statusesMatched == report.statusesCompared, "\(report.differences)")
        #expect(report.differences.isEmpty)
        // Half the recorded span, with room for schedule lag on a loaded 2-core machine.
        #expect(report.recordedSpan > 4, "\(report.recordedSpan)")
        #expect(abs(report.plannedSpan - report.recordedSpan / 2) < 0.01)
        #expect(report.sentSpan < 0.75 * report.recordedSpan, "sent over \(report.sentSpan)s, recorded \(report.recordedSpan)s")
        #expect(report.sentSpan > 0.4 * report.recordedSpan, "sent over \(report.sentSpan)s: the recorded timing was not kept")
        let lag = try #require(report.scheduleLag)
        print("replay: recorded span \(report.recordedSpan)s, planned \(report.plannedSpan)s, sent over \(report.sentSpan)s (process \(wall)s); schedule lag p50 \(lag.p50)s p99 \(lag.p99)s max \(lag.max)s")

        // The usual results of a run, from the same engine and oracle.
        let summary = try RunSummary.decode(Data(contentsOf: replayDirectory.appendingPathComponent("summary.json")))
        #expect(summary.value(of: "routing.misroutes") == 0)
        let sent = (summary.value(of: "requests.ui.count") ?? 0) + (summary.value(of: "requests.api.count") ?? 0)
        #expect(Int(sent) == report.planned)
        for file in ["summary.json", "report.html", "junit.xml", "requests.jsonl", "replay-plan.jsonl", "access.log"] {
            #expect(FileManager.default.fileExists(atPath: replayDirectory.appendingPathComponent(file).path), "\(file)")
        }
        #expect(replay.output.contains("statuses: all \(report.planned) replayed requests got the recorded status"))
        #expect(replay.output.contains("schedule lag: p50"))

        // A candidate stack without the rule that forwards managers' API calls: exactly that path differs.
        let candidate = work.appendingPathComponent("candidate.yaml")
        try Self.candidateConfig.write(to: candidate, atomically: true, encoding: .utf8)
        let changed = try gauntlet([
            "replay", accessLog.path, "--speed", "2", "--stack-config", candidate.path, "--out", work.appendingPathComponent("changed").path, "--quiet",
        ])
        #expect(changed.exitCode == 1, "\(changed.output)")
        let changedReport = try JSONDecoder().decode(
            ReplayReport.self, from: Data(contentsOf: work.appendingPathComponent("changed/replay.json")))
        #expect(!changedReport.differences.isEmpty)
        for difference in changedReport.differences {
            #expect(difference.pattern == "/manager/api/users" && difference.recorded == 200 && difference.replayed == 403, "\(difference)")
        }
        #expect(changed.output.contains("/manager/api/users"))
    }

    /// The default routing matrix without priority 10 (managers' `/manager/api/*` → Manager UI).
    static let candidateConfig = """
        edge:
          rules:
            - { priority: 11, conditions: [ { path-pattern: ["/manager/api", "/manager/api/*"] } ], actions: [ { authenticate: { on_unauthenticated: deny } }, { fixed-response: { status_code: 403, content_type: application/json, body: '{"message":"Forbidden"}' } } ] }
            - { priority: 20, conditions: [ { path-pattern: ["/analytics/api", "/analytics/api/*"] }, { group: [managers, analysts] } ], actions: [ { authenticate: { on_unauthenticated: deny } }, { forward: analytics-ui } ] }
            - { priority: 21, conditions: [ { path-pattern: ["/analytics/api", "/analytics/api/*"] } ], actions: [ { authenticate: { on_unauthenticated: deny } }, { fixed-response: { status_code: 403 } } ] }
            - { priority: 30, conditions: [ { path-pattern: ["/manager", "/manager/*"] }, { group: [managers] } ], actions: [ { authenticate: {} }, { forward: manager-ui } ] }
            - { priority: 31, conditions: [ { path-pattern: ["/manager", "/manager/*"] } ], actions: [ { authenticate: {} }, { fixed-response: { status_code: 403 } } ] }
            - { priority: 40, conditions: [ { path-pattern: ["/analytics", "/analytics/*"] }, { group: [managers, analysts] } ], actions: [ { authenticate: {} }, { forward: analytics-ui } ] }
            - { priority: 41, conditions: [ { path-pattern: ["/analytics", "/analytics/*"] } ], actions: [ { authenticate: {} }, { fixed-response: { status_code: 403 } } ] }
            - { priority: 50, conditions: [ { path-pattern: ["/"] }, { group: [managers] } ], actions: [ { authenticate: {} }, { forward: manager-ui } ] }
            - { priority: 51, conditions: [ { path-pattern: ["/"] }, { group: [analysts] } ], actions: [ { authenticate: {} }, { forward: analytics-ui } ] }
            - { priority: 52, conditions: [ { path-pattern: ["/"] } ], actions: [ { authenticate: {} }, { fixed-response: { status_code: 403 } } ] }
        """

    @Test("bad replay input exits 2 with a located error and sends nothing")
    func badInput() throws {
        let work = try workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let har = work.appendingPathComponent("broken.har")
        try Data("{\"log\": {\"entries\": [".utf8).write(to: har)
        let result = try gauntlet(["replay", har.path, "--out", work.appendingPathComponent("out").path, "--quiet"])
        #expect(result.exitCode == 2, "\(result.output)")
        #expect(result.output.contains("broken.har"))
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("out/summary.json").path))

        let usage = try gauntlet(["replay", har.path, "--replayed", har.path])
        #expect(usage.exitCode == 2)
        #expect(usage.output.contains("--plan-only"))
    }
}
