import Foundation
import Testing
@testable import GauntletCore
@testable import GauntletReports

/// A synthetic but realistic run (three request types, warm-up + steady, a latency spike, errors,
/// two misroutes, auth steps, upload freshness), built through the driver's own results model and
/// kept under `Fixtures/run-smoke/` so the renderers' golden files have stable input.
/// `GAUNTLET_UPDATE_FIXTURES=1 swift test --filter RunFixture` rewrites it.
enum RunFixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/run-smoke").path
    /// The same scenario and build with other noise (seed 2): an A/A partner for `compare`.
    static let directoryB = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/run-smoke-b").path
    /// The run as schema 1 wrote it (before the lag was split), kept so `report` and `compare` are held
    /// to reading older results. Never regenerated.
    static let directorySchema1 = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/run-smoke-schema1").path

    static func scenario() -> Scenario {
        Scenario(
            name: "smoke", seed: 42, target: .embedded(EmbeddedTarget()), users: Users(managers: 2, analysts: 4),
            phases: [Phase(name: "warmup", duration: 5, warmup: true), Phase(name: "steady", duration: 15)],
            upload: UploadRequests(schedule: .constant(rate: 10), batches: [UploadRequests.Batch(events: 100)]),
            ui: UIRequests(schedule: .constant(rate: 20), pages: [.init(path: "/manager/")]),
            api: APIRequests(schedule: .constant(rate: 40), calls: [.init(path: "/manager/api/users")]),
            thresholds: ["latency.ui.p99 < 250ms", "latency.api.p99 < 50ms", "errors.rate < 1%", "upload.events_per_second >= 900", "routing.misroutes == 0"]
                .map { try! Threshold.parse($0) }
        )
    }

    /// Builds the run: `slowdown` multiplies every latency (for compare's regression tests), `seed`
    /// varies the noise (for A/A pairs).
    static func build(seed: UInt64 = 1, slowdown: Double = 1) -> (summary: RunSummary, timeSeries: [TimeSeriesPoint], intervals: [IntervalHistograms]) {
        let scenario = scenario()
        var accumulator = RunAccumulator(scenario: scenario, workers: 1)
        var recorder = WorkerRecorder(worker: 0, phases: scenario.phases)
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var n = 0
        for second in 0..<20 {
            let phase = second < 5 ? 0 : 1
            let spike = (12...13).contains(second) ? 4.0 : 1.0
            for (type, rate, base) in [(RequestType.ui, 20, 0.012), (.api, 40, 0.004), (.upload, 10, 0.020)] {
                for k in 0..<rate {
                    n += 1
                    let intended = Double(second) + Double(k) / Double(rate)
                    let tail = uniform() < 0.01 ? 8.0 : 1.0
                    let service = base * slowdown * spike * tail * (0.6 + uniform() * uniform() * 1.6)
                    let lag = uniform() < 0.02 ? 0.003 : 0.0002
                    var outcome = RequestSample.Outcome.ok
                    var status = type == .upload ? 202 : 200
                    if type == .api, second == 14, k < 2 { outcome = .misroute(.wrongBackend) }
                    if type == .ui, n % 97 == 0 { outcome = .error(.timeout); status = 0 }
                    if type == .upload, k == 9, second % 4 == 0 { outcome = .rejected(.throttled); status = 429 }
                    recorder.countArrival(type, phase: phase)
                    recorder.record(RequestSample(
                        type: type, phase: phase, intended: intended, sent: intended + lag, finished: intended + lag + service,
                        outcome: outcome, status: status, connect: k == 0 ? 0.0004 : -1, tls: k == 0 ? 0.0031 : -1, ttfb: service * 0.9,
                        lbAuth: type == .upload ? -1 : 0.0011 * slowdown, target: service * 0.7,
                        uploadEvents: type == .upload ? 100 : 0, uploadBytes: type == .upload ? 25_600 : 0,
                        // In the spike, the late ones waited for connections the slow target held.
                        connectionFree: spike > 1 && lag > 0.001 ? intended + lag : nil
                    ))
                    if case .misroute(let kind) = outcome {
                        recorder.recordExample(MisrouteExample(
                            kind: kind, type: type, method: "GET", path: "/manager/api/users", role: "managers",
                            expected: "served by manager-ui", status: 200, servedBy: "analytics-ui", location: nil, at: intended))
                    }
                }
            }
            if second % 5 == 0 {
                recorder.recordAuth(.login, seconds: 0.180 * slowdown + uniform() * 0.04, phase: phase)
                recorder.recordAuth(.dns, seconds: 0.0002, phase: phase)
                recorder.recordAuth(.token, seconds: 0.030 * slowdown + uniform() * 0.01, phase: phase)
                recorder.countLogin(succeeded: true)
            }
            recorder.recordFreshness(seconds: 0.4 + uniform() * 0.5)
            accumulator.add(recorder.takeInterval(nextIndex: second + 1))
        }
        accumulator.flush()
        let summary = accumulator.summary(
            timing: .init(startedAt: "2026-11-29T00:00:00.000Z", endedAt: "2026-11-29T00:00:20.000Z", elapsed: 20),
            target: "embedded", gauntletVersion: "0.1.0-test",
            machine: MachineInfo(hostname: "fixture", cpus: 2, os: "Debian 12"), partialReason: nil
        )
        return (summary, accumulator.timeSeries, accumulator.intervals)
    }

    /// Writes a run as `run` writes it (summary.json pretty/sorted snake_case; JSON Lines beside it).
    static func write(_ run: (summary: RunSummary, timeSeries: [TimeSeriesPoint], intervals: [IntervalHistograms]), to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let url = URL(fileURLWithPath: directory)
        try run.summary.encoded().write(to: url.appendingPathComponent("summary.json"))
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        try Data(run.timeSeries.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }.joined().utf8)
            .write(to: url.appendingPathComponent("timeseries.jsonl"))
        try Data(run.intervals.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }.joined().utf8)
            .write(to: url.appendingPathComponent("intervals.jsonl"))
    }

    static func temporaryDirectory(_ label: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("gauntlet-\(label)-\(UUID().uuidString)").path
    }
}

@Suite("run fixture")
struct RunFixtureTests {
    @Test func fixtureIsCurrent() throws {
        let built = RunFixture.build()
        if ProcessInfo.processInfo.environment["GAUNTLET_UPDATE_FIXTURES"] == "1" {
            try RunFixture.write(built, to: RunFixture.directory)
            try RunFixture.write(RunFixture.build(seed: 2), to: RunFixture.directoryB)
        }
        let loaded = try RunFiles.load(RunFixture.directory)
        #expect(loaded.summary == built.summary, "the results model changed: regenerate with GAUNTLET_UPDATE_FIXTURES=1")
        #expect(loaded.timeSeries.count == built.timeSeries.count)
        #expect(loaded.intervals.count == built.intervals.count)
        #expect(loaded.summary.misroutes.total == 2)
        #expect(loaded.summary.thresholds.count == 5)
    }
}
