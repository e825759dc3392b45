import Foundation
import Testing
@testable import GauntletCore
@testable import GauntletReports

/// The merge against the run it stands for: the same samples recorded once on one machine and split over
/// N shards (by the shard partition itself) must merge into the single machine's figures exactly.
@Suite("merge")
struct MergeTests {
    static let yaml = """
        version: 1
        name: merge-check
        seed: 9
        target: { lb: "http://127.0.0.1:1" }
        users: { managers: 4, analysts: 4 }
        warmup: 2s
        duration: 8s
        requests:
          ui:
            schedule: { kind: constant, rate: 30 }
            pages: [{ path: / }]
          api:
            schedule: { kind: poisson, rate: 50 }
            calls: [{ method: GET, path: /analytics/api/search }]
        thresholds:
          - latency.api.p99 < 50ms
          - errors.rate < 5%
        """

    static func scenario() throws -> Scenario { try ScenarioDecoder.decode(yaml: yaml, file: "merge-check.yaml") }

    /// Every arrival of both schedules with a deterministic latency; `shard` keeps only its own arrivals.
    /// `delay` shifts the shard's clock (a late start), which the merge must undo.
    static func record(_ scenario: Scenario, shard: Shard, workers: Int = 2) -> (summary: RunSummary, timeSeries: [TimeSeriesPoint], intervals: [IntervalHistograms], totals: RunTotals) {
        var accumulator = RunAccumulator(scenario: scenario, workers: workers, shard: shard)
        var recorders = (0..<workers).map { WorkerRecorder(worker: $0, phases: scenario.phases) }
        var samples: [(Int, RequestSample)] = []
        for type in scenario.requestTypes {
            let times = scenario.schedule(for: type)!.intendedTimes(runDuration: scenario.duration, seed: scenario.seed &+ UInt64(type.index))
            for (arrival, t) in times.enumerated() {
                guard let local = shard.localIndex(ofArrival: arrival) else { continue }
                let phase = t < 2 ? 0 : 1
                let service = 0.002 + Double((arrival * 7919) % 1000) / 1e5 + (arrival % 97 == 0 ? 0.2 : 0)
                let failed = arrival % 41 == 0
                samples.append((local % workers, RequestSample(
                    type: type, phase: phase, intended: t, sent: t + 0.0001 * Double(arrival % 5), finished: t + service,
                    outcome: failed ? .error(.timeout) : .ok, status: failed ? 0 : 200, connect: -1, tls: -1, ttfb: service / 2,
                    lbAuth: 0.001, target: service / 3, uploadEvents: 0, uploadBytes: 0)))
            }
        }
        samples.sort { $0.1.intended < $1.1.intended }
        var next = 0
        for second in 0..<Int(scenario.duration) {
            while next < samples.count, samples[next].1.intended < Double(second + 1) {
                let (worker, sample) = samples[next]
                recorders[worker].countArrival(sample.type, phase: sample.phase)
                recorders[worker].record(sample)
                next += 1
            }
            for worker in recorders.indices { accumulator.add(recorders[worker].takeInterval(nextIndex: second + 1)) }
        }
        accumulator.flush()
        let summary = accumulator.summary(
            timing: .init(startedAt: "2026-12-01T00:00:00.000Z", endedAt: "2026-12-01T00:00:10.000Z", elapsed: 10),
            target: "http://127.0.0.1:1", gauntletVersion: "0.1.0-test", machine: MachineInfo(hostname: "host-\(shard.index)", cpus: 2, os: "Debian 12"), partialReason: nil)
        return (summary, accumulator.timeSeries, accumulator.intervals, accumulator.totals)
    }

    /// Writes shard `index` of `count` as `run --shard` does, started `delay` seconds after the epoch base.
    static func writeShard(_ scenario: Scenario, index: Int, count: Int, root: String, delay: Double = 0, edit: (inout RunSummary, inout ShardFile) -> Void = { _, _ in }) throws -> String {
        let shard = try Shard(index: index, count: count)
        var run = record(scenario, shard: shard)
        run.summary.shard = ShardInfo(shard: shard, host: "host-\(index)", startedAt: 1_764_547_200 + delay, startAt: 1_764_547_200, clock: ClockInfo(source: "CLOCK_REALTIME", synchronized: true, maxError: 0.01, estimatedError: 0.001))
        var file = ShardFile(scenarioFile: "merge-check.yaml", scenarioText: yaml, totals: run.totals)
        edit(&run.summary, &file)
        let directory = (root as NSString).appendingPathComponent("shard-\(index)")
        try RunFixture.write((run.summary, run.timeSeries, run.intervals), to: directory)
        try file.write(toDirectory: directory)
        return directory
    }

    @Test("N shards merge into the single machine's figures exactly", arguments: [1, 2, 3, 4])
    func exact(count: Int) throws {
        let scenario = try Self.scenario()
        let whole = Self.record(scenario, shard: .whole)
        let root = RunFixture.temporaryDirectory("merge")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directories = try (0..<count).map { try Self.writeShard(scenario, index: $0, count: count, root: root) }
        let (checked, parts) = try RunMerge.check(directories.reversed())
        let merged = try RunMerge.merge(parts, scenario: checked, directory: root + "/merged")

        #expect(merged.summary.requestTypes == whole.summary.requestTypes, "counts, statuses, errors and every percentile")
        #expect(merged.summary.all == whole.summary.all)
        #expect(merged.summary.auth == whole.summary.auth)
        #expect(merged.summary.scheduleLag == whole.summary.scheduleLag)
        #expect(merged.summary.thresholds == whole.summary.thresholds)
        #expect(merged.summary.all.intendedCount == Double(scenario.requestTypes.reduce(0) { total, type in
            total + scenario.schedule(for: type)!.intendedTimes(runDuration: 10, seed: 9 &+ UInt64(type.index)).filter { $0 >= 2 }.count
        }))
        #expect(merged.intervals == whole.intervals, "per-second histograms added exactly")
        #expect(merged.timeSeries.count == whole.timeSeries.count)
        for (a, b) in zip(merged.timeSeries, whole.timeSeries) {
            #expect(a.second == b.second && a.type == b.type && a.count == b.count && a.failed == b.failed)
            #expect(a.p50 == b.p50 && a.p99 == b.p99 && a.max == b.max)
            #expect(abs((a.intendedRate ?? 0) - (b.intendedRate ?? 0)) < 1e-9)
        }
        let table = try #require(merged.summary.merge)
        #expect(table.shards.map(\.index) == Array(0..<count))
        #expect(table.shards.reduce(0) { $0 + $1.count } == whole.summary.all.count)
        #expect(table.startSkew == 0)
    }

    @Test("a shard that started late is aligned on the common start, and the skew reported")
    func skew() throws {
        let scenario = try Self.scenario()
        let root = RunFixture.temporaryDirectory("merge-skew")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directories = try [Self.writeShard(scenario, index: 0, count: 2, root: root), Self.writeShard(scenario, index: 1, count: 2, root: root, delay: 2.2)]
        let (checked, parts) = try RunMerge.check(directories)
        let merged = try RunMerge.merge(parts, scenario: checked, directory: root + "/merged")
        #expect(abs((merged.summary.merge?.startSkew ?? 0) - 2.2) < 1e-6)
        #expect(merged.summary.warnings.contains { $0.contains("apart") })
        let late = Self.record(scenario, shard: try Shard(index: 1, count: 2)).timeSeries.filter { $0.type == .ui }
        let mergedUI = merged.timeSeries.filter { $0.type == .ui }
        #expect(mergedUI.map(\.second).max() == late.map(\.second).max()! + 2, "the late shard's seconds are shifted by its start offset")
    }

    @Test("shards that do not belong together are refused, each problem named", arguments: [
        "missing", "duplicate", "scenario", "seed", "partial", "count", "unsharded",
    ])
    func refusals(kind: String) throws {
        let scenario = try Self.scenario()
        let root = RunFixture.temporaryDirectory("merge-refuse")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var directories = try (0..<3).map { index in
            try Self.writeShard(scenario, index: index, count: 3, root: root) { summary, file in
                guard index == 2 else { return }
                switch kind {
                case "scenario": file.scenarioText = Self.yaml.replacingOccurrences(of: "rate: 30", with: "rate: 31")
                case "seed": summary.scenario.seed = 10
                case "partial": summary.partial = true; summary.partialReason = "interrupted (SIGTERM)"
                case "count": summary.shard = ShardInfo(shard: try! Shard(index: 2, count: 4), host: "h", startedAt: 0, startAt: nil, clock: summary.shard!.clock)
                case "unsharded": summary.shard = nil
                default: break
                }
            }
        }
        let expected: String
        switch kind {
        case "missing": directories.removeLast(); expected = "missing shard 2 of 3"
        case "duplicate": directories.append(directories[0]); expected = "shard 0 of 3 is given 2 times"
        case "scenario": expected = "ran a different scenario"
        case "seed": expected = "with seed 10"
        case "partial": expected = "did not finish: interrupted (SIGTERM)"
        case "count": expected = "one of 4 shards"
        default: expected = "not a shard"
        }
        #expect {
            _ = try RunMerge.check(directories)
        } throws: { error in
            guard let refusal = error as? MergeRefusal else { return false }
            return refusal.problems.contains { $0.contains(expected) }
        }
    }

    @Test("a merged result is a run like any other: it reloads, and compare reads it")
    func mergedIsARun() throws {
        let scenario = try Self.scenario()
        let root = RunFixture.temporaryDirectory("merge-compare")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directories = try (0..<2).map { try Self.writeShard(scenario, index: $0, count: 2, root: root) }
        let (checked, parts) = try RunMerge.check(directories)
        let merged = try RunMerge.merge(parts, scenario: checked, directory: root + "/merged")
        try RunFixture.write((merged.summary, merged.timeSeries, merged.intervals), to: root + "/merged")
        let reloaded = try RunFiles.load(root + "/merged")
        #expect(reloaded.summary == merged.summary)
        let whole = Self.record(scenario, shard: .whole)
        try RunFixture.write((whole.summary, whole.timeSeries, whole.intervals), to: root + "/whole")
        let comparison = RunComparison.compare(baseline: [try RunFiles.load(root + "/whole")], candidate: [reloaded])
        #expect(!comparison.rows.isEmpty)
        #expect(comparison.regressions.isEmpty && comparison.rankRegressions.isEmpty, "a merge of the same samples is no regression against the single run")
        for (name, text) in RunReport.render(reloaded) { #expect(!text.isEmpty, "\(name)") }
        #expect(merged.summary.merge?.table.contains("host-1") == true)
    }
}
