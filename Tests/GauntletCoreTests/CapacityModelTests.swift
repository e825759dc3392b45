import Foundation
import Testing
@testable import GauntletCore

/// The pure parts around the search: the USL fit, the bottleneck attribution, the step plan, the
/// `capacity:` section and `capacity.json`'s round trip.
@Suite struct CapacityModelTests {
    static func latency(_ p99: Double, count: Int = 100) -> LatencyPercentiles {
        LatencyPercentiles(count: count, min: p99 / 4, mean: p99 / 2, p50: p99 / 2, p75: p99 / 2, p90: p99, p95: p99, p99: p99, p99_9: p99, p99_99: p99, max: p99)
    }

    static func summary(rate: Double, p99: Double, hops: [String: Double], thresholdsPass: Bool = true) -> RunSummary {
        let stats = RequestStats(count: Int(rate * 10), ok: Int(rate * 10), failed: 0, rejected: 0, intendedCount: rate * 10, intendedRate: rate,
                                 achievedRate: rate, latency: latency(p99), serviceTime: latency(p99), errors: [], statuses: [])
        let names = ["dns": "dns", "connect": "connect", "tls": "tls", "lb_auth": "lb", "target": "target",
                     "target_manager_ui": "target_manager_ui", "target_analytics_ui": "target_analytics_ui"]
        let hopSummaries = names.compactMap { name, step in
            hops[name].map { AuthStepSummary(step: step, latency: latency($0)) }
        }
        var summary = RunSummary(
            scenario: ScenarioInfo(name: "t", description: nil, seed: 1, gauntletVersion: "test", target: "embedded", duration: 10, phases: []),
            machine: MachineInfo(hostname: "h", cpus: 2, os: "linux"), startedAt: "", endedAt: "", elapsed: 10, measuredDuration: 10,
            partial: false, partialReason: nil, requestTypes: [RequestTypeSummary(type: .api, total: stats, phases: [])], all: stats,
            misroutes: MisrouteSummary(total: 0, rate: 0, kinds: []),
            auth: AuthSummary(steps: hops["login"].map { [AuthStepSummary(step: "login", latency: latency($0))] } ?? [], hops: hopSummaries, logins: 4, loginFailures: 0, refreshes: 0),
            upload: nil, scheduleLag: ScheduleLagSummary(lag: latency(0.001), fellBehind: false, message: nil), thresholds: [], warnings: [])
        summary.evaluate([try! Threshold.parse(thresholdsPass ? "latency.all.p99 < 10s" : "latency.all.p99 < 1ms")])
        return summary
    }

    static func step(_ index: Int, rate: Double, held: Bool, hops: [String: Double]) -> CapacityStep {
        let summary = summary(rate: rate, p99: hops.values.reduce(0, +), hops: hops, thresholdsPass: held)
        return CapacityStep.judge(index: index, rate: rate, summary: summary,
                                  generator: GeneratorHealth(workerCpu: 0.2, cores: 2, lagP99: 0.001, fellBehind: false, bound: false), precision: 0.05, seconds: 10)
    }

    @Test func namesTheHopThatGrewFirstAndMost() throws {
        let steps = [
            Self.step(1, rate: 100, held: true, hops: ["lb_auth": 0.001, "target": 0.005, "tls": 0.002]),
            Self.step(2, rate: 200, held: true, hops: ["lb_auth": 0.004, "target": 0.005, "tls": 0.002]),
            Self.step(3, rate: 400, held: false, hops: ["lb_auth": 0.180, "target": 0.006, "tls": 0.003]),
        ]
        let bottleneck = try #require(BottleneckAttribution.attribute(steps: steps))
        #expect(bottleneck.hop == "lb_auth")
        #expect(bottleneck.component == "the load balancer's authentication")
        #expect(bottleneck.firstGrewAt == 200)
        #expect(bottleneck.method == .growth)
        #expect(bottleneck.text.hasPrefix("at 400 req/s LB auth p99 went from 1ms to 180ms (growing from 200 req/s) while target stayed flat"), "\(bottleneck.text)")
    }

    /// A delay in one backend: the target time as a whole grows by its share, the backend's own by all of
    /// it, and the backend is what a planner must hear about, with the LB's own time as the contrast.
    @Test func namesTheBackendThatServedTheSlowAnswers() throws {
        let steps = [
            Self.step(1, rate: 100, held: true, hops: ["lb_auth": 0.001, "target": 0.004, "target_manager_ui": 0.003, "target_analytics_ui": 0.004]),
            Self.step(2, rate: 200, held: false, hops: ["lb_auth": 0.001, "target": 0.300, "target_manager_ui": 0.003, "target_analytics_ui": 0.450]),
        ]
        let bottleneck = try #require(BottleneckAttribution.attribute(steps: steps))
        #expect(bottleneck.hop == "target_analytics_ui")
        #expect(bottleneck.component == "the Analytics UI backend (target time)")
        #expect(bottleneck.text.hasPrefix("at 200 req/s Analytics UI p99 went from 4ms to 450ms while LB auth stayed flat"), "\(bottleneck.text)")
        let firstStep = try #require(BottleneckAttribution.attribute(steps: [steps[1]]))
        #expect(firstStep.hop == "target_analytics_ui", "with no good step, the backend where most time went")
    }

    @Test func withNoGoodStepNamesWhereMostTimeWent() throws {
        let steps = [Self.step(1, rate: 10, held: false, hops: ["lb_auth": 0.001, "target": 0.400, "connect": 0.0002])]
        let bottleneck = try #require(BottleneckAttribution.attribute(steps: steps))
        #expect(bottleneck.hop == "target")
        #expect(bottleneck.method == .share)
    }

    @Test func whenNoHopGrewItSaysSo() throws {
        let steps = [
            Self.step(1, rate: 100, held: true, hops: ["target": 0.005]),
            Self.step(2, rate: 200, held: false, hops: ["target": 0.0055]),
        ]
        let bottleneck = try #require(BottleneckAttribution.attribute(steps: steps))
        #expect(bottleneck.hop == nil)
        #expect(bottleneck.text.contains("no hop's p99 grew"))
    }

    @Test func uslFitRecoversItsCoefficientsAndCeiling() throws {
        let (lambda, sigma, kappa) = (100.0, 0.05, 0.001)
        let points = [1.0, 2, 4, 8, 16, 32, 64].map { n in (concurrency: n, throughput: lambda * n / (1 + sigma * (n - 1) + kappa * n * (n - 1))) }
        let fit = try #require(ScalabilityFit.fit(points))
        #expect(abs(fit.lambda - lambda) / lambda < 1e-6)
        #expect(abs(fit.sigma - sigma) < 1e-6)
        #expect(abs(fit.kappa - kappa) < 1e-6)
        let peak = ((1 - sigma) / kappa).squareRoot()
        #expect(abs(fit.ceiling! - lambda * peak / (1 + sigma * (peak - 1) + kappa * peak * (peak - 1))) < 1e-3)
        #expect(fit.trusted && fit.rSquared > 0.999)
    }

    @Test func aPoorFitSaysSoPlainly() throws {
        let points = [(1.0, 100.0), (2, 30), (3, 250), (4, 20), (5, 180)].map { (concurrency: $0.0, throughput: $0.1) }
        let fit = try #require(ScalabilityFit.fit(points))
        #expect(!fit.trusted)
        #expect(fit.verdict.contains("too poor to trust"))
        #expect(ScalabilityFit.fit([(1, 10), (2, 20)]) == nil)
    }

    @Test func stepsKeepTheMixAndDiscardTheirWarmup() throws {
        let yaml = """
            name: mix
            duration: 10s
            requests:
              upload: { schedule: { kind: constant, rate: 30 } }
              api: { schedule: { kind: ramp, from: 0, to: 20 }, calls: [ { path: /analytics/api/counts } ] }
            thresholds: [ "latency.api.p99 < 1s" ]
            capacity: { start_rate: 20, max_rate: 5000, step: 5s, warmup: 2s, precision: 2%, repeats: 5 }
            """
        let scenario = try ScenarioDecoder.decode(yaml: yaml, file: "mix.yaml")
        let plan = try CapacityPlan(scenario: scenario)
        #expect(plan.settings == CapacitySettings(startRate: 20, maxRate: 5000, stepDuration: 5, warmup: 2, precision: 0.02, repeats: 5))
        #expect(abs(plan.mix[.upload]! - 0.75) < 1e-9 && abs(plan.mix[.api]! - 0.25) < 1e-9)
        let step = plan.step(rate: 400)
        #expect(step.upload?.schedule == .constant(rate: 300))
        #expect(step.api?.schedule == .constant(rate: 100))
        #expect(step.phases == [Phase(name: "warmup", duration: 2, warmup: true), Phase(name: "step", duration: 5)])
        #expect(step.thresholds == scenario.thresholds)
    }

    @Test func closedLoopScenariosAreRefused() throws {
        let yaml = """
            name: closed
            duration: 10s
            requests:
              http: { schedule: { kind: max, connections: 4 }, requests: [ { url: "http://127.0.0.1:1/" } ] }
            """
        let scenario = try ScenarioDecoder.decode(yaml: yaml, file: "closed.yaml")
        #expect(throws: CapacityPlan.Problem.closedLoop(.http)) { try CapacityPlan(scenario: scenario) }
    }

    @Test func badCapacitySectionsAreLocated() {
        let yaml = """
            name: bad
            duration: 10s
            requests:
              upload: { schedule: { kind: constant, rate: 30 } }
            capacity:
              start_rate: 500
              max_rate: 100
              precision: 70%
              repeat: 3
            """
        do {
            _ = try ScenarioDecoder.decode(yaml: yaml, file: "bad.yaml")
            Issue.record("expected validation errors")
        } catch {
            let lines = error.issues.map { "\($0.line):\($0.path)" }
            #expect(lines.contains("7:capacity.max_rate"), "\(lines)")
            #expect(lines.contains("8:capacity.precision"), "\(lines)")
            #expect(error.issues.contains { $0.line == 9 && $0.message.contains("did you mean \"repeats\"") }, "\(error.issues)")
        }
    }

    @Test func capacityJSONRoundTrips() throws {
        let steps = [
            Self.step(1, rate: 100, held: true, hops: ["lb_auth": 0.001, "target": 0.005]),
            Self.step(2, rate: 200, held: false, hops: ["lb_auth": 0.050, "target": 0.005]),
        ]
        let result = CapacityResult(scenario: "t", startedAt: "2026-01-01T00:00:00.000Z", elapsed: 20, settings: CapacitySettings(), mix: ["api": 1],
                                    verdict: .knee(CapacityKnee(estimates: [141, 141, 141], low: 100, high: 200)), steps: steps,
                                    expected: 282, machine: MachineInfo(hostname: "h", cpus: 2, os: "linux"))
        #expect(result.expected?.headroom == 0.5)
        #expect(!result.headroomHolds)
        #expect(result.verdict.contains("capacity 141 req/s") && result.verdict.contains("headroom at 282 req/s: 0.50×"), "\(result.verdict)")
        let decoded = try CapacityResult.decode(result.encoded())
        #expect(decoded == result)
        let json = String(decoding: try result.encoded(), as: UTF8.self)
        #expect(json.contains("\"schema_version\" : 1") && json.contains("\"achieved_rate\""))
    }

    @Test func aGeneratorThatCouldNotOfferTheStartRateClaimsNoCapacity() {
        let machine = MachineInfo(hostname: "h", cpus: 2, os: "linux")
        let first = CapacityResult(scenario: "t", startedAt: "", elapsed: 4, settings: CapacitySettings(), mix: ["http": 1],
                                   verdict: .generatorBound(atLeast: 0, offered: 500), steps: [], expected: nil, machine: machine)
        #expect(first.verdict.hasPrefix("generator-bound: the generator could not offer even the start rate 500 req/s from this machine (2 cores)"), "\(first.verdict)")
        let later = CapacityResult(scenario: "t", startedAt: "", elapsed: 4, settings: CapacitySettings(), mix: ["http": 1],
                                   verdict: .generatorBound(atLeast: 2_000, offered: 4_000), steps: [], expected: nil, machine: machine)
        #expect(later.verdict.hasPrefix("generator-bound: capacity ≥ 2,000 req/s; the generator could not offer 4,000 req/s"), "\(later.verdict)")
    }
}
