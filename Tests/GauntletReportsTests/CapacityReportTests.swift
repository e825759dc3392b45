import Foundation
import Testing
@testable import GauntletCore
@testable import GauntletReports

/// The capacity report and `compare` of two capacity results, over results built from the fixture run's
/// summary (a real summary.json), so every step carries a full summary as the command writes it.
@Suite struct CapacityReportTests {
    static func result(knee estimates: [Double], low: Double = 190, high: Double = 200, expected: Double? = nil) throws -> CapacityResult {
        let summary = try RunFiles.load(RunFixture.directory).summary
        let steps = [50.0, 100, 200, low, high].enumerated().map { index, rate in
            var step = CapacityStep.judge(index: index + 1, rate: rate, summary: summary,
                                          generator: GeneratorHealth(workerCpu: 0.1 * Double(index + 1), cores: 2, lagP99: 0.001, fellBehind: false, bound: false),
                                          precision: 0.05, seconds: 11)
            step.held = rate < high
            step.achievedRate = min(rate, 195)
            return step
        }
        return CapacityResult(
            scenario: "smoke", startedAt: "2026-12-03T08:00:00.000Z", elapsed: 61, settings: CapacitySettings(), mix: ["upload": 0.2, "ui": 0.2, "api": 0.6],
            verdict: .knee(CapacityKnee(estimates: estimates, low: low, high: high)), steps: steps, expected: expected,
            machine: MachineInfo(hostname: "fixture", cpus: 2, os: "Debian 12"))
    }

    @Test func reportShowsTheAnswerAndItsCharts() throws {
        let result = try Self.result(knee: [195, 194, 196], expected: 100)
        let html = CapacityReportRenderer.render(result, directory: "results/x")
        #expect(html.contains("capacity 195 req/s ± 1 (3 repeats)"), "the one-line answer heads the page")
        #expect(html.contains("headroom at 100 req/s: 1.95×"))
        #expect(html.components(separatedBy: "<svg ").count - 1 == 3, "latency/throughput, offered/achieved, per hop")
        #expect(html.contains("knee 195 req/s"), "the knee is marked on the latency chart")
        #expect(html.contains("SLO latency.api.p99 &lt; 50ms"), "the SLO line is the tightest latency threshold")
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("<script"), "self-contained, no script")
    }

    @Test func compareFlagsAKneeDropBeyondItsNoiseOnly() throws {
        let baseline = try Self.result(knee: [200, 190, 210])           // spread 20
        let within = try Self.result(knee: [191, 185, 195])             // dropped 9: within max(noise 15, precision 10)
        let beyond = try Self.result(knee: [150, 148, 152], low: 145, high: 155)
        #expect(!CapacityComparison.compare(baseline: baseline, candidate: within).regressed)
        let drop = CapacityComparison.compare(baseline: baseline, candidate: beyond)
        #expect(drop.regressed)
        #expect(drop.text.hasPrefix("capacity 200 req/s → 150 req/s (-25.0%"), "\(drop.text)")
        #expect(!CapacityComparison.compare(baseline: beyond, candidate: baseline).regressed, "a rise is no regression")
    }

    @Test func capacityFilesRoundTripThroughTheirDirectory() throws {
        let result = try Self.result(knee: [195, 194, 196])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gauntlet-capacity-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let written = try CapacityReport.write(result, to: directory)
        #expect(written.map { ($0 as NSString).lastPathComponent } == ["capacity.json", "report.html"])
        #expect(try CapacityReport.load(directory) == result)
        #expect(try CapacityReport.load(RunFixture.directory) == nil, "a run directory is not a capacity result")
        if let keep = ProcessInfo.processInfo.environment["GAUNTLET_KEEP_CAPACITY_SAMPLE"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: directory, toPath: keep)
        }
    }
}
