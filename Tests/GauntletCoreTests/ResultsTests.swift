import Foundation
import Testing
@testable import GauntletCore

@Suite struct ResultsTests {
    static func scenario(thresholds: [String] = []) -> Scenario {
        Scenario(
            name: "unit", seed: 7, target: .remote(RemoteTarget(lb: "https://127.0.0.1:1")), users: Users(),
            phases: [Phase(name: "warmup", duration: 1, warmup: true), Phase(name: "steady", duration: 2)],
            upload: UploadRequests(schedule: .constant(rate: 10), batches: [UploadRequests.Batch(events: 100)]),
            ui: UIRequests(schedule: .constant(rate: 10), pages: [.init(path: "/")]),
            thresholds: thresholds.map { try! Threshold.parse($0) })
    }

    /// Two workers, three seconds: each sends 5 ui and 5 upload requests per second.
    static func accumulate(_ scenario: Scenario, misrouteEvery: Int = 0) -> RunAccumulator {
        var accumulator = RunAccumulator(scenario: scenario, workers: 2)
        for worker in 0..<2 {
            var recorder = WorkerRecorder(worker: worker, phases: scenario.phases)
            var n = 0
            for second in 0..<3 {
                for k in 0..<5 {
                    let t = Double(second) + Double(k) / 5 + Double(worker) / 10
                    n += 1
                    let misroute = misrouteEvery > 0 && n % misrouteEvery == 0
                    recorder.countArrival(.ui, phase: second == 0 ? 0 : 1)
                    recorder.countArrival(.upload, phase: second == 0 ? 0 : 1)
                    recorder.record(RequestSample(
                        type: .ui, phase: second == 0 ? 0 : 1, intended: t, sent: t + 0.001, finished: t + 0.010,
                        outcome: misroute ? .misroute(.wrongBackend) : .ok, status: 200, ttfb: 0.008, lbAuth: 0.002, target: 0.005))
                    if misroute {
                        recorder.recordExample(MisrouteExample(kind: .wrongBackend, type: .ui, method: "GET", path: "/", role: "analysts", expected: "served by analytics-ui", status: 200, servedBy: "manager-ui", location: nil, at: t))
                    }
                    recorder.record(RequestSample(
                        type: .upload, phase: second == 0 ? 0 : 1, intended: t, sent: t, finished: t + 0.020,
                        outcome: k == 4 ? .rejected(.throttled) : .ok, status: k == 4 ? 429 : 202, uploadEvents: 100, uploadBytes: 25_600))
                }
                accumulator.add(recorder.takeInterval(nextIndex: second + 1))
            }
        }
        return accumulator
    }

    @Test func warmupIsExcludedAndRatesAreComputed() throws {
        let scenario = Self.scenario()
        let summary = Self.accumulate(scenario).summary(
            timing: .init(startedAt: "2026-01-01T00:00:00.000Z", endedAt: "2026-01-01T00:00:03.000Z", elapsed: 3),
            target: "https://127.0.0.1:1", gauntletVersion: "test", partialReason: nil)
        let ui = try #require(summary.stats(for: .ui))
        #expect(ui.total.count == 20)               // 2 workers × 5 × 2 measured seconds
        #expect(ui.phases.map(\.stats.count) == [10, 20])
        #expect(ui.total.achievedRate == 10)
        #expect(try #require(ui.total.intendedRate) == 10)
        let latency = try #require(ui.total.latency)
        #expect(abs(latency.p50 - 0.010) < 0.0001)
        let service = try #require(ui.total.serviceTime)
        #expect(abs(service.p50 - 0.009) < 0.0001)
        let upload = try #require(summary.upload)
        #expect(upload.events == 16 * 100)          // 4 of 5 acknowledged, 2 workers, 2 seconds
        #expect(upload.eventsPerSecond == 800)
        #expect(upload.rejected == [CategoryCount(category: "throttled", count: 4)])
        #expect(summary.auth.latency(of: "lb")?.count == 20)
        #expect(summary.misroutes.total == 0)
        #expect(summary.partial == false)
        #expect(summary.scheduleLag.fellBehind == false)
    }

    @Test("an arrival whose request completes in a later interval still counts as scheduled, with one worker or two")
    func arrivalsInAnIntervalWithoutCompletions() throws {
        let scenario = Self.scenario()
        for workers in [1, 2] {
            var accumulator = RunAccumulator(scenario: scenario, workers: workers)
            var recorders = (0..<workers).map { WorkerRecorder(worker: $0, phases: scenario.phases) }
            // Second 1: the arrival (its user is still logging in); second 2: the completion.
            recorders[0].countArrival(.ui, phase: 1)
            for worker in recorders.indices { accumulator.add(recorders[worker].takeInterval(nextIndex: 2)) }
            recorders[0].record(RequestSample(
                type: .ui, phase: 1, intended: 1.5, sent: 2.1, finished: 2.2, outcome: .ok, status: 200, ttfb: 0.05, lbAuth: 0.01, target: 0.03))
            for worker in recorders.indices { accumulator.add(recorders[worker].takeInterval(nextIndex: 3)) }
            accumulator.flush()
            let summary = accumulator.summary(
                timing: .init(startedAt: "2026-01-01T00:00:00.000Z", endedAt: "2026-01-01T00:00:03.000Z", elapsed: 3),
                target: "https://127.0.0.1:1", gauntletVersion: "test", partialReason: nil)
            let ui = try #require(summary.stats(for: .ui))
            #expect(ui.total.count == 1)
            #expect(ui.total.intendedCount == 1, "\(workers) worker(s)")
        }
    }

    @Test("the target is unreachable only when every request failed before reaching it")
    func targetUnreachable() {
        var summary = Self.accumulate(Self.scenario()).summary(
            timing: .init(startedAt: "a", endedAt: "b", elapsed: 3), target: "t", gauntletVersion: "test", partialReason: nil)
        #expect(!summary.targetUnreachable)
        summary.all = RequestStats(
            count: 5, ok: 0, failed: 5, rejected: 0, intendedCount: nil, intendedRate: nil, achievedRate: 0, latency: nil, serviceTime: nil,
            errors: [CategoryCount(category: "connect", count: 3), CategoryCount(category: "tls", count: 1), CategoryCount(category: "dns", count: 1)],
            statuses: [])
        #expect(summary.targetUnreachable)
        summary.all.errors.append(CategoryCount(category: "timeout", count: 1))
        #expect(!summary.targetUnreachable, "a timeout means the target was reached")
        summary.all.errors = [CategoryCount(category: "a_category_from_a_newer_build", count: 5)]
        #expect(!summary.targetUnreachable)
        summary.all = RequestStats(
            count: 0, ok: 0, failed: 0, rejected: 0, intendedCount: nil, intendedRate: nil, achievedRate: 0, latency: nil, serviceTime: nil,
            errors: [], statuses: [])
        #expect(!summary.targetUnreachable, "no request made is not an unreachable target")
    }

    @Test func misroutesAreCountedWithExamplesAndFailThresholds() throws {
        let scenario = Self.scenario(thresholds: ["routing.misroutes == 0", "latency.ui.p99 < 50ms", "upload.events_per_second >= 1000"])
        let summary = Self.accumulate(scenario, misrouteEvery: 5).summary(
            timing: .init(startedAt: "a", endedAt: "b", elapsed: 3), target: "t", gauntletVersion: "test", partialReason: "SIGINT")
        #expect(summary.misroutes.total == 4)       // every 5th of 10 per worker in the measured seconds
        #expect(summary.misroutes.kinds.first?.kind == .wrongBackend)
        #expect(summary.misroutes.kinds.first?.examples.isEmpty == false)
        #expect(summary.value(of: "errors.ui.count") == 4)
        #expect(summary.thresholds.map(\.passed) == [false, true, false])
        #expect(summary.thresholdsPassed == false)
        #expect(summary.partial)
        #expect(summary.warnings.contains { $0.contains("SIGINT") })
    }

    @Test func summaryRoundTripsAsSnakeCaseJSON() throws {
        let summary = Self.accumulate(Self.scenario()).summary(
            timing: .init(startedAt: "a", endedAt: "b", elapsed: 3), target: "t", gauntletVersion: "test", partialReason: nil)
        let data = try summary.encoded()
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"schema_version\" : \(RunSummary.currentSchemaVersion)"))
        #expect(text.contains("\"p99_9\""))
        #expect(text.contains("\"service_time\""))
        #expect(try RunSummary.decode(data) == summary)
    }

    @Test func timeSeriesAndIntervalsCoverEverySecond() {
        let accumulator = Self.accumulate(Self.scenario())
        let ui = accumulator.timeSeries.filter { $0.type == .ui }
        #expect(ui.map(\.second) == [0, 1, 2])
        #expect(ui.map(\.count) == [10, 10, 10])
        #expect(ui.allSatisfy { abs(($0.intendedRate ?? 0) - 10) < 1e-9 })
        let intervals = accumulator.intervals.filter { $0.type == .ui }
        #expect(intervals.map(\.tag) == ["ui/warmup", "ui/steady", "ui/steady"])
        #expect(intervals.allSatisfy { $0.corrected.totalCount == 10 })
    }

    @Test func everyCatalogMetricResolvesOrIsAbsentForAReason() {
        let summary = Self.accumulate(Self.scenario()).summary(
            timing: .init(startedAt: "a", endedAt: "b", elapsed: 3), target: "t", gauntletVersion: "test", partialReason: nil)
        #expect(summary.value(of: "latency.all.p99") != nil)
        #expect(summary.value(of: "requests.upload.rate") == 10)
        #expect(summary.value(of: "upload.freshness.p99") == nil)   // nothing sampled
        #expect(summary.value(of: "latency.nope.p99") == nil)
    }
}
