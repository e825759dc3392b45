import Foundation
import Testing
@testable import GauntletCore
@testable import GauntletDriver

/// Coordinated omission: the target stalls 500 ms every 5 s; at a constant rate the true latency of a
/// request intended during a stall is the time left in the stall, so 10% of requests see U(0, 0.5 s):
/// p99 = 0.45 s and p99.9 = 0.495 s (plus the base latency). A closed-loop tool would report a p99 near
/// the base latency. Gauntlet must report the true values within 5%.
@Suite(.serialized, .timeLimit(.minutes(1))) struct StallTests {
    static func truePercentiles(rate: Double, duration: Double, every: Double, stall: Double, base: Double) -> (p99: Double, p999: Double) {
        // Computed from the schedule itself: each intended time's wait until its stall window ends.
        var latencies = ArrivalSchedule.constant(rate: rate).intendedTimes(runDuration: duration, seed: 1).map { t -> Double in
            let phase = t.truncatingRemainder(dividingBy: every)
            return (phase < stall ? stall - phase : 0) + base
        }
        latencies.sort()
        func at(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int((p / 100 * Double(latencies.count)).rounded(.up)) - 1)] }
        return (at(99), at(99.9))
    }

    @Test func stallsShowInCorrectedPercentiles() async throws {
        let edge = try FakeEdge(stallEvery: 5, stallFor: 0.5)
        defer { edge.stop() }
        let scenario = Scenario(
            name: "stall", seed: 1, target: .remote(RemoteTarget()), users: Users(managers: 0, analysts: 0),
            phases: [Phase(name: "steady", duration: 10)], http: HTTPSettings(timeout: 5, connections: 32),
            httpRequests: GenericRequests(schedule: .constant(rate: 100), requests: [.init(url: edge.base + "/ok", expectStatus: 204)]))
        let result = try await Driver.run(scenario: scenario, endpoints: nil, options: DriverOptions())
        let stats = try #require(result.summary.stats(for: .http)?.total)
        let latency = try #require(stats.latency)
        let base = latency.p50
        let truth = Self.truePercentiles(rate: 100, duration: 10, every: 5, stall: 0.5, base: base)
        #expect(stats.count == 1000)
        #expect(abs(latency.p99 - truth.p99) <= truth.p99 * 0.05, "p99 \(latency.p99) vs true \(truth.p99)")
        #expect(abs(latency.p99_9 - truth.p999) <= truth.p999 * 0.05, "p99.9 \(latency.p99_9) vs true \(truth.p999)")
        #expect(base < 0.1)
        // 50 arrivals fall in each stall and 32 connections take the first 32: the other 18 wait for a
        // connection the target holds (up to ~0.18 s), which is the target's doing, not the generator's.
        let wait = try #require(result.summary.scheduleLag.connectionWait)
        #expect(wait.count >= 20, "\(wait)")
        #expect(wait.max > 0.1 && wait.max < 0.5, "\(wait)")
        #expect(result.summary.scheduleLag.connectionMessage?.hasPrefix("TARGET HELD EVERY CONNECTION") == true)
        #expect(!(result.summary.scheduleLag.message?.contains("delivered") ?? false))
    }
}
