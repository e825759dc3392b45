import Foundation
import Testing
@testable import GauntletCore
@testable import GauntletReports

/// Writes the input of `scripts/bench/merge.sh`: N shards of a long run (by default 16 shards of a 10-minute
/// run at 8,000 requests/s in all), recorded through the same recorder and accumulator as `run`, each with
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
            var accumulator = RunAccumulator(scenario: scenario, workers: 1, shard: shard)
            var recorder = WorkerRecorder(worker: 0, phases: scenario.phases)
            var state = UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15
            func uniform() -> Double {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Double(state >> 11) / Double(1 << 53)
            }
            for second in 0..<seconds {
                let phase = second < 30 ? 0 : 1
                for (type, rate, base) in [(RequestType.upload, 1000, 0.02), (.ui, 2000, 0.008), (.api, 5000, 0.003)] {
                    let mine = rate / count + (index < rate % count ? 1 : 0)
                    for k in 0..<mine {
                        let intended = Double(second) + Double(k) / Double(mine)
                        // A log-normal-ish body with a long tail: a few hundred distinct buckets per second.
                        let service = base * exp(1.2 * (uniform() + uniform() + uniform() - 1.5)) * (uniform() < 0.001 ? 40 : 1)
                        recorder.countArrival(type, phase: phase)
                        recorder.record(RequestSample(
                            type: type, phase: phase, intended: intended, sent: intended + 0.0002 * uniform(), finished: intended + service,
                            outcome: .ok, status: type == .upload ? 202 : 200, connect: -1, tls: -1, ttfb: service * 0.8, lbAuth: 0.001,
                            target: service * 0.6, uploadEvents: type == .upload ? 100 : 0, uploadBytes: type == .upload ? 25_600 : 0))
                    }
                }
                accumulator.add(recorder.takeInterval(nextIndex: second + 1))
            }
            accumulator.flush()
            var summary = accumulator.summary(
                timing: .init(startedAt: "2026-12-01T00:00:00.000Z", endedAt: "2026-12-01T00:10:00.000Z", elapsed: Double(seconds)),
                target: "http://127.0.0.1:1", gauntletVersion: "bench", machine: MachineInfo(hostname: "bench-\(index)", cpus: 2, os: "Debian 12"),
                partialReason: nil)
            summary.shard = ShardInfo(shard: shard, host: "bench-\(index)", startedAt: 1_764_547_200 + 0.001 * Double(index), startAt: 1_764_547_200,
                                      clock: ClockInfo(source: "CLOCK_REALTIME", synchronized: true, maxError: 0.01, estimatedError: 0.001))
            let directory = (root as NSString).appendingPathComponent("shard-\(index)")
            try RunFixture.write((summary, accumulator.timeSeries, accumulator.intervals), to: directory)
            try ShardFile(scenarioFile: "merge-bench.yaml", scenarioText: yaml, totals: accumulator.totals).write(toDirectory: directory)
            #expect(try RunFiles.loadSummary(directory).summary.shard?.index == index)
        }
    }
}
