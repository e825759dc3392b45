import Foundation
import Testing
@testable import GauntletCore
@testable import GauntletReports

/// Writes the input of `scripts/bench/merge.sh`: N shards of a long run (by default 16 shards of a 10-minute
/// run at 8,000 requests/s in all), written in the files `run` leaves (summary, shard.json totals, per-second series and histograms), each with
/// its own latency noise. Runs only when GAUNTLET_MERGE_BENCH_DIR names where to write them.
@Suite("merge benchmark fixture")
struct MergeBenchFixture {
    static let environment = ProcessInfo.processInfo.environment

    @Test(.enabled(if: environment["GAUNTLET_MERGE_BENCH_DIR"] != nil))
    func write() throws {
        let root = Self.environment["GAUNTLET_MERGE_BENCH_DIR"]!
        let count = Int(Self.environment["GAUNTLET_MERGE_BENCH_SHARDS"] ?? "") ?? 16
        let seconds = Int(Self.environment["GAUNTLET_MERGE_BENCH_SECONDS"] ?? "") ?? 600
        let yaml = """
            version: 1
            name: merge-bench
            seed: 5
            target: { lb: "http://127.0.0.1:1", upload: "http://127.0.0.1:1" }
            users: { managers: 32, analysts: 64 }
            warmup: 30s
            duration: \(seconds - 30)s
            requests:
              upload:
                schedule: { kind: constant, rate: 1000 }
                batches: [ { events: 100 } ]
              ui:
                schedule: { kind: constant, rate: 2000 }
                pages: [ { path: / } ]
              api:
                schedule: { kind: poisson, rate: 5000 }
                calls: [ { method: GET, path: /analytics/api/search } ]
            thresholds:
              - latency.api.p99 < 500ms
              - errors.rate < 1%
            """
        let scenario = try ScenarioDecoder.decode(yaml: yaml, file: "merge-bench.yaml")
        for index in 0..<count {
            let shard = try Shard(index: index, count: count)
            var state = UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15
            func uniform() -> Double {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Double(state >> 11) / Double(1 << 53)
            }
            // The files are written as `run` leaves them, but drawn as (bucket, count) pairs rather than sample
            // by sample, so that 16 long shards take seconds to write: 200 distinct latencies per type and
            // second (a body around the type's median with a long tail), the shape a run at these rates records.
            let layout = LatencyHistogram.latency()
            func sparse(_ pairs: [(UInt64, UInt64)]) -> SparseHistogram {
                var byBucket: [UInt64: UInt64] = [:]
                for (value, count) in pairs { byBucket[layout.lowestEquivalentForValue(value), default: 0] += count }
                let values = byBucket.keys.sorted()
                return SparseHistogram(values: values, counts: values.map { byBucket[$0]! }, min: pairs.map(\.0).min(), max: pairs.map(\.0).max())
            }
            let phaseCount = scenario.phases.count
            let seriesCount = RequestType.allCases.count * phaseCount
            var corrected = Array(repeating: SparseHistogram(values: [], counts: []), count: seriesCount)
            var service = corrected
            var counters = Array(repeating: SeriesCounters(), count: seriesCount)
            var ttfb = SparseHistogram(values: [], counts: [])
            var lag = ttfb
            var timeSeries: [TimeSeriesPoint] = []
            var intervals: [IntervalHistograms] = []
            for second in 0..<seconds {
                let phase = second < 30 ? 0 : 1
                for (type, rate, base) in [(RequestType.upload, 1000, 0.02), (.ui, 2000, 0.008), (.api, 5000, 0.003)] {
                    let mine = rate / count + (index < rate % count ? 1 : 0)
                    let series = type.index * phaseCount + phase
                    let distinct = Swift.min(200, mine)
                    var latencies: [(UInt64, UInt64)] = []
                    for k in 0..<distinct {
                        let service = base * exp(1.2 * (uniform() + uniform() + uniform() - 1.5)) * (uniform() < 0.01 ? 40 : 1)
                        latencies.append((UInt64(service * 1e6) + 1, UInt64(mine / distinct + (k < mine % distinct ? 1 : 0))))
                    }
                    let second1 = sparse(latencies)
                    let service1 = sparse(latencies.map { ($0.0 * 95 / 100 + 1, $0.1) })
                    intervals.append(IntervalHistograms(index: second, type: type, phase: scenario.phases[phase].name, corrected: second1, service: service1))
                    corrected[series] = corrected[series].adding(second1)
                    service[series] = service[series].adding(service1)
                    ttfb = ttfb.adding(sparse(latencies.map { ($0.0 * 8 / 10 + 1, $0.1) }))
                    lag = lag.adding(sparse(latencies.map { (UInt64(200 * uniform()) + 1, $0.1) }))
                    counters[series].scheduled += mine
                    counters[series].count += mine
                    counters[series].ok += mine
                    counters[series].statuses[type == .upload ? 202 : 200] += mine
                    if type == .upload {
                        counters[series].uploadBatches += mine
                        counters[series].uploadEvents += 100 * mine
                        counters[series].uploadBytes += 25_600 * mine
                    }
                    let histogram = second1.histogram()
                    timeSeries.append(TimeSeriesPoint(
                        second: second, type: type, count: mine, ok: mine, failed: 0, rejected: 0, intendedRate: Double(rate) / Double(count),
                        p50: Double(histogram.valueAtPercentile(50)) / 1e6, p99: Double(histogram.valueAtPercentile(99)) / 1e6, max: Double(histogram.max) / 1e6))
                }
            }
            var auth = Array(repeating: SparseHistogram(values: [], counts: []), count: AuthStep.allCases.count)
            auth[AuthStep.ttfb.index] = ttfb
            let totals = RunTotals(
                corrected: corrected, service: service, counters: counters, auth: auth, lag: lag, generatorLag: lag,
                connectionWait: SparseHistogram(values: [], counts: []), freshness: SparseHistogram(values: [], counts: []),
                examples: [], logins: 0, loginFailures: 0, refreshes: 0, dnsFailures: 0)
            var accumulator = RunAccumulator(scenario: scenario, workers: 1, shard: shard)
            try accumulator.add(totals)
            var summary = accumulator.summary(
                timing: .init(startedAt: "2026-12-01T00:00:00.000Z", endedAt: "2026-12-01T00:10:00.000Z", elapsed: Double(seconds)),
                target: "http://127.0.0.1:1", gauntletVersion: "bench", machine: MachineInfo(hostname: "bench-\(index)", cpus: 2, os: "Debian 12"),
                partialReason: nil)
            summary.shard = ShardInfo(shard: shard, host: "bench-\(index)", startedAt: 1_764_547_200 + 0.001 * Double(index), startAt: 1_764_547_200,
                                      clock: ClockInfo(source: "CLOCK_REALTIME", synchronized: true, maxError: 0.01, estimatedError: 0.001))
            let directory = (root as NSString).appendingPathComponent("shard-\(index)")
            try RunFixture.write((summary, timeSeries, intervals), to: directory)
            try ShardFile(scenarioFile: "merge-bench.yaml", scenarioText: yaml, totals: totals).write(toDirectory: directory)
            #expect(try RunFiles.loadSummary(directory).summary.shard?.index == index)
        }
    }

    /// The merge's own work in this process (check, add, write the merged files, render every report),
    /// timed: what `gauntlet merge` costs less its process start. Runs only when GAUNTLET_MERGE_BENCH_MERGE
    /// names the shards' directory (written by `write()`); prints one line per round.
    @Test(.enabled(if: environment["GAUNTLET_MERGE_BENCH_MERGE"] != nil))
    func merge() throws {
        let root = Self.environment["GAUNTLET_MERGE_BENCH_MERGE"]!
        let rounds = Int(Self.environment["GAUNTLET_MERGE_BENCH_ROUNDS"] ?? "") ?? 3
        let shards = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasPrefix("shard-") }.sorted()
            .map { (root as NSString).appendingPathComponent($0) }
        let out = RunFixture.temporaryDirectory("merge-bench-out")
        defer { try? FileManager.default.removeItem(atPath: out) }
        for round in 1...rounds {
            try? FileManager.default.removeItem(atPath: out)
            let clock = ContinuousClock()
            var merged: RunFiles?
            let elapsed = try clock.measure {
                let (scenario, parts) = try RunMerge.check(shards)
                let files = try RunMerge.merge(parts, scenario: scenario, directory: out)
                try RunFixture.write((files.summary, files.timeSeries, files.intervals), to: out)
                _ = try RunReport.regenerate(out)
                merged = files
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("merge-bench round \(round): \(shards.count) shards, \(merged?.summary.all.count ?? 0) requests, \(String(format: "%.3f", seconds)) s")
            #expect(merged?.summary.merge?.shards.count == shards.count)
        }
    }
}
