import Foundation
import Testing
@testable import GauntletCore
@testable import GauntletDriver

/// Capacity searches against local targets of known capacity (127.0.0.1, ephemeral ports), bounded:
/// each step lasts a few seconds and the search a bounded number of steps.
@Suite(.serialized, .timeLimit(.minutes(3))) struct CapacityRunTests {
    static func plan(_ server: FixedCapacityServer, settings: CapacitySettings, thresholds: [String]) throws -> CapacityPlan {
        var scenario = Scenario(
            name: "capacity-test", seed: 7, target: .remote(RemoteTarget()), users: Users(managers: 0, analysts: 0),
            phases: [Phase(name: "main", duration: 10)], http: HTTPSettings(timeout: 5, connections: 48, workers: 1),
            httpRequests: GenericRequests(schedule: .constant(rate: 1), requests: [.init(url: server.url, expectStatus: 204)]),
            thresholds: thresholds.map { try! Threshold.parse($0) })
        scenario.capacity = settings
        return try CapacityPlan(scenario: scenario)
    }

    /// 10 workers × 200 ms each: 50 req/s. Above it the queue grows through each step, so the SLO (p90
    /// under 350 ms: under 150 ms of queueing) breaks within a few percent above 50 req/s. Slow service
    /// and a p90 keep the known figure honest on a machine busy with builds (its scheduling jitter is
    /// small against 200 ms, and a p90 ignores the worst of it).
    @Test func findsAKnownCapacityWithinFivePercent() async throws {
        let server = try FixedCapacityServer(workers: 10, service: 0.2)
        defer { server.stop() }
        let settings = CapacitySettings(startRate: 12, maxRate: 1_000, stepDuration: 4, warmup: 0.5, precision: 0.05, repeats: 3)
        let plan = try Self.plan(server, settings: settings, thresholds: ["latency.http.p90 < 350ms"])
        let result = try await CapacityRunner.run(plan: plan, endpoints: nil, options: DriverOptions(), expected: 25)
        let figures = result.steps.map { "\(Int($0.rate)):\($0.held ? "held" : "broke") p99 \($0.summary.all.latency?.p99 ?? -1) cpu \($0.generator.workerCpu) waited \($0.generator.runQueueWait ?? -1)" }
        #expect(result.outcome == .knee, "\(result.verdict) \(figures)")
        let knee = try #require(result.capacity)
        #expect(abs(knee - 50) / 50 <= 0.05, "knee \(knee): \(figures)")
        #expect(result.steps.count <= 14, "\(figures)")
        #expect(result.expected?.headroom ?? 0 > 1.9)
        #expect(result.steps.allSatisfy { !$0.generator.bound })
        #expect(result.steps.contains { $0.generator.workerCpu > 0 }, "the workers' CPU is read from /proc")
    }

    @Test func sloFailingAtTheStartRateIsReportedAsSuch() async throws {
        let server = try FixedCapacityServer(workers: 4, service: 0.05)
        defer { server.stop() }
        let settings = CapacitySettings(startRate: 10, maxRate: 1_000, stepDuration: 1, warmup: 0.2)
        let plan = try Self.plan(server, settings: settings, thresholds: ["latency.http.p99 < 10ms"])
        let result = try await CapacityRunner.run(plan: plan, endpoints: nil, options: DriverOptions(), expected: nil)
        #expect(result.outcome == .sloFailsAtStart)
        #expect(result.steps.count == 1)
        #expect(result.verdict.hasPrefix("the SLO already fails at the start rate 10 req/s: latency.http.p99 < 10ms"), "\(result.verdict)")
    }

    @Test func aTargetThatDiesEndsTheSearchWithItsStepsSoFar() async throws {
        let server = try FixedCapacityServer(workers: 50, service: 0.01, dieAfter: 3)
        defer { server.stop() }
        let settings = CapacitySettings(startRate: 20, maxRate: 100_000, stepDuration: 1, warmup: 0.2)
        let plan = try Self.plan(server, settings: settings, thresholds: ["latency.http.p99 < 1s"])
        let result = try await CapacityRunner.run(plan: plan, endpoints: nil, options: DriverOptions(), expected: nil)
        #expect(result.outcome == .failed, "\(result.verdict)")
        #expect(result.steps.count >= 2, "the steps before the target died are kept")
        #expect(result.steps.first?.held == true)
        #expect(result.failure?.contains("stopped answering") == true, "\(result.failure ?? "")")
        #expect(result.capacity == result.steps.filter(\.held).map(\.rate).max())
    }

    @Test func generatorLagCountsAgainstTheGeneratorOnlyWhenItsWorkerIsSaturatedOrStarved() {
        var summary = CapacityModelSupport.summary(fellBehind: true, busiest: 0.97)
        #expect(GeneratorHealth.assess(summary: summary, cores: 2).bound)
        #expect(GeneratorHealth.assess(summary: summary, cores: 2).workerCpu == 0.97)
        summary = CapacityModelSupport.summary(fellBehind: true, busiest: 0.30)
        #expect(!GeneratorHealth.assess(summary: summary, cores: 2).bound, "lag with an idle generator is the target's backpressure")
        summary = CapacityModelSupport.summary(fellBehind: true, busiest: 0.30, runQueueWait: 0.6)
        #expect(GeneratorHealth.assess(summary: summary, cores: 2).bound, "a worker waiting for a core is the generator's limit at any CPU")
        summary = CapacityModelSupport.summary(fellBehind: false, busiest: 0.97)
        #expect(!GeneratorHealth.assess(summary: summary, cores: 2).bound)
    }

    @Test func aSplitLagReportsTheGeneratorsOwnLag() {
        var summary = CapacityModelSupport.summary(fellBehind: true, busiest: 0.97)
        summary.scheduleLag.generatorLag = LatencyPercentiles(count: 10, min: 0.01, mean: 0.05, p50: 0.05, p75: 0.07, p90: 0.09, p95: 0.1, p99: 0.12, p99_9: 0.12, p99_99: 0.12, max: 0.12)
        let saturated = GeneratorHealth.assess(summary: summary, cores: 2)
        #expect(saturated.bound)
        #expect(saturated.lagP99 == 0.12, "the generator's own lag, not the connection wait, is its figure")
        summary.scheduleLag.fellBehind = false
        summary.scheduleLag.connectionWait = LatencyPercentiles(count: 10, min: 0.1, mean: 0.4, p50: 0.4, p75: 0.45, p90: 0.5, p95: 0.5, p99: 0.5, p99_9: 0.5, p99_99: 0.5, max: 0.5)
        #expect(!GeneratorHealth.assess(summary: summary, cores: 2).bound, "connection wait is the target's")
    }
}

enum CapacityModelSupport {
    static func summary(fellBehind: Bool, busiest: Double = 0, runQueueWait: Double = 0) -> RunSummary {
        let stats = RequestStats(count: 10, ok: 10, failed: 0, rejected: 0, intendedCount: 10, intendedRate: 10, achievedRate: 10,
                                 latency: nil, serviceTime: nil, errors: [], statuses: [])
        return RunSummary(
            scenario: ScenarioInfo(name: "t", description: nil, seed: 1, gauntletVersion: "test", target: "x", duration: 1, phases: []),
            machine: MachineInfo(hostname: "h", cpus: 2, os: "linux"), startedAt: "", endedAt: "", elapsed: 1, measuredDuration: 1,
            partial: false, partialReason: nil, requestTypes: [], all: stats, misroutes: MisrouteSummary(total: 0, rate: 0, kinds: []),
            auth: AuthSummary(steps: [], hops: [], logins: 0, loginFailures: 0, refreshes: 0), upload: nil,
            scheduleLag: ScheduleLagSummary(
                lag: nil, fellBehind: fellBehind, message: nil,
                generatorCPU: GeneratorCPU(threads: 1, busiest: busiest, runQueueWait: runQueueWait, meanWait: 0.02)),
            thresholds: [], warnings: [])
    }
}
