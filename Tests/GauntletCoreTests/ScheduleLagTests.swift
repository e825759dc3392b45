import Foundation
import Testing
@testable import GauntletCore

/// Splitting a late request's lag between the target (no connection free) and the generator (late with
/// one free), and who the run's warning blames.
@Suite struct ScheduleLagTests {
    static func percentiles(_ values: [Double]) -> LatencyPercentiles? {
        var histogram = LatencyHistogram.latency()
        for value in values { histogram.record(seconds: value) }
        return histogram.latencyPercentiles
    }

    @Test(arguments: [
        // intended, connection free, sent → connection wait, generator lag
        (1.0, 1.0, 1.0, 0.0, 0.0),
        (1.0, 1.3, 1.3, 0.3, 0.0),   // waited for the target, then sent at once
        (1.0, 1.3, 1.5, 0.3, 0.2),   // waited for the target, then the loop was late too
        (1.0, 0.5, 1.2, 0.0, 0.2),   // a connection was free before it was due: all the generator's
        (1.0, 2.0, 1.5, 0.5, 0.0),   // never more wait than lag
    ])
    func aSampleSplitsItsLag(intended: Double, free: Double, sent: Double, wait: Double, own: Double) {
        let sample = RequestSample(type: .http, phase: 0, intended: intended, sent: sent, finished: sent + 0.01, outcome: .ok, status: 200, connectionFree: free)
        #expect(abs(sample.connectionWait - wait) < 1e-9)
        #expect(abs(sample.generatorLag - own) < 1e-9)
    }

    @Test func theRecorderKeepsBothHalvesAndCountsOnlyRequestsThatWaited() {
        var recorder = WorkerRecorder(worker: 0, phases: [Phase(name: "p", duration: 10)])
        recorder.record(RequestSample(type: .http, phase: 0, intended: 1, sent: 1.4, finished: 1.5, outcome: .ok, status: 200, connectionFree: 1.4))
        recorder.record(RequestSample(type: .http, phase: 0, intended: 2, sent: 2.0, finished: 2.1, outcome: .ok, status: 200))
        let record = recorder.takeInterval(nextIndex: 1)
        #expect(record.connectionWait.totalCount == 1)
        #expect(record.generatorLag.totalCount == 2)
        #expect(record.lag.totalCount == 2)
    }

    @Test func aTargetHoldingEveryConnectionIsNoGeneratorWarning() {
        let (lag, warnings) = ScheduleLagSummary.judge(
            lag: Self.percentiles([0.001, 0.4, 0.45]), generatorLag: Self.percentiles([0.0001, 0.0002, 0.0003]),
            connectionWait: Self.percentiles([0.4, 0.45]), delivered: [.init(type: .http, delivered: 100, scheduled: 100)])
        #expect(!lag.fellBehind)
        #expect(lag.message == nil)
        #expect(lag.connectionMessage?.hasPrefix("TARGET HELD EVERY CONNECTION: 2 requests waited") == true)
        #expect(warnings == [lag.connectionMessage])
    }

    @Test func aFewMillisecondsOfConnectionWaitAreFiguresNotAWarning() {
        let (lag, warnings) = ScheduleLagSummary.judge(
            lag: Self.percentiles([0.003]), generatorLag: Self.percentiles([0.0001]), connectionWait: Self.percentiles([0.003]), delivered: [])
        #expect(lag.connectionMessage != nil)
        #expect(warnings.isEmpty)
    }

    @Test func aLateGeneratorWarnsEvenWhenRequestsAlsoWaited() {
        let (lag, _) = ScheduleLagSummary.judge(
            lag: Self.percentiles([0.05, 0.4]), generatorLag: Self.percentiles([0.05, 0.06]),
            connectionWait: Self.percentiles([0.4]), delivered: [.init(type: .http, delivered: 90, scheduled: 100)])
        #expect(lag.fellBehind)
        #expect(lag.message?.hasPrefix("GENERATOR FELL BEHIND: http delivered 90%") == true)
        #expect(lag.message?.contains("generator lag p99") == true)
        #expect(lag.connectionMessage != nil)
    }

    @Test func aShortfallWhileTheTargetHeldTheConnectionsIsTheTargets() {
        let (lag, _) = ScheduleLagSummary.judge(
            lag: Self.percentiles([0.5]), generatorLag: Self.percentiles([0.0001]),
            connectionWait: Self.percentiles([0.5]), delivered: [.init(type: .http, delivered: 80, scheduled: 100)])
        #expect(!lag.fellBehind)
        #expect(lag.connectionMessage?.contains("http delivered 80%") == true)
    }

    /// The starved generator of scripts/bench/stall.sh: its late reads kept every connection busy, so the
    /// wait looked like the target's and its own lag stayed small. The kernel's run-queue figure decides.
    @Test func aWorkerStarvedOfCPUIsTheGeneratorsFaultThoughItsWaitLooksLikeTheTargets() {
        let starved = GeneratorCPU(threads: 1, busiest: 0.25, runQueueWait: 0.73, meanWait: 0.0236)
        let (lag, warnings) = ScheduleLagSummary.judge(
            lag: Self.percentiles([0.0004, 0.78]), generatorLag: Self.percentiles([0.0002, 0.0004]),
            connectionWait: Self.percentiles([0.78]), delivered: [.init(type: .http, delivered: 19_950, scheduled: 20_000)], generatorCPU: starved)
        #expect(lag.fellBehind)
        #expect(lag.message?.hasPrefix("GENERATOR FELL BEHIND: ") == true)
        #expect(lag.message?.contains("waited for a CPU 73% of the run") == true, "\(lag.message ?? "")")
        #expect(lag.connectionMessage == nil, "no wait is charged to the target while the generator was starved")
        #expect(warnings == [lag.message])
        #expect(lag.generatorCPU == starved)
    }

    @Test func aWorkerThatWaitedLittleForACoreLeavesTheWaitWithTheTarget() {
        let quiet = GeneratorCPU(threads: 1, busiest: 0.4, runQueueWait: 0.02, meanWait: 0.00004)
        let (lag, warnings) = ScheduleLagSummary.judge(
            lag: Self.percentiles([0.001, 0.45]), generatorLag: Self.percentiles([0.0001, 0.003]),
            connectionWait: Self.percentiles([0.45]), delivered: [], generatorCPU: quiet)
        #expect(!lag.fellBehind)
        #expect(lag.connectionMessage?.hasPrefix("TARGET HELD EVERY CONNECTION") == true)
        #expect(warnings == [lag.connectionMessage])
        let loaded = GeneratorCPU(threads: 1, busiest: 0.04, runQueueWait: 0.2, meanWait: 0.0015)
        #expect(!loaded.starved, "a fifth of the run in waits of 1.5 ms is a busy machine, not a starved generator")
    }

    @Test func schemaOneResultsStillJudgeOnTheirOneLag() {
        let (lag, _) = ScheduleLagSummary.judge(lag: Self.percentiles([0.02]), generatorLag: nil, connectionWait: nil, delivered: [])
        #expect(lag.fellBehind)
        #expect(lag.message?.contains("schedule lag p99") == true)
    }

    @Test func summaryJSONOfSchemaOneStillDecodes() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("GauntletReportsTests/Fixtures/run-smoke-schema1/summary.json")
        let summary = try RunSummary.decode(Data(contentsOf: url))
        #expect(summary.schemaVersion == 1)
        #expect(summary.scheduleLag.generatorLag == nil)
        #expect(summary.scheduleLag.connectionWait == nil)
    }
}
