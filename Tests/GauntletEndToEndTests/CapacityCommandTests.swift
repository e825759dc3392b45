import Foundation
import GauntletCore
import Testing

/// `gauntlet capacity` as a user runs it against the embedded reference stack: a stall injected into one
/// component (the load balancer's targets, by the stack's faults) must be the component the attribution
/// names, and the exit code must say the SLO failed at the start rate. Short steps, one search.
@Suite("gauntlet capacity against the embedded stack", .serialized)
struct CapacityCommandTests {
    func search(_ yaml: String, _ arguments: [String] = []) throws -> (exitCode: Int32, output: String, result: CapacityResult?) {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("gauntlet-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let scenario = work.appendingPathComponent("scenario.yaml")
        try yaml.write(to: scenario, atomically: true, encoding: .utf8)
        let out = work.appendingPathComponent("out")
        let invocation = try GauntletProcess.run(["capacity", scenario.path, "--out", out.path] + arguments)
        let data = FileManager.default.contents(atPath: out.appendingPathComponent("capacity.json").path)
        return (invocation.exitCode, invocation.output, try data.map(CapacityResult.decode))
    }

    static let stalled = """
        name: capacity-stall
        target: { embedded: { faults: { stall: { every: 1s, for: 400ms } } } }
        users: { managers: 1, analysts: 2 }
        duration: 10s
        requests:
          api:
            schedule: { kind: constant, rate: 10 }
            calls: [ { path: "/analytics/api/counts?interval=1m" } ]
        thresholds: [ "latency.api.p99 < 150ms" ]
        capacity: { start_rate: 20, max_rate: 200, step: 3s, warmup: 2s }
        """

    @Test func aStalledComponentIsNamedAndTheSLOFailsAtTheStart() throws {
        let (exitCode, output, result) = try search(Self.stalled)
        #expect(exitCode == 1, "\(output)")
        #expect(output.contains("the SLO already fails at the start rate 20 req/s"), "\(output)")
        let capacity = try #require(result, "capacity.json is written")
        #expect(capacity.outcome == .sloFailsAtStart)
        // Every call goes to the Analytics UI, so that is the backend named, not the targets as a whole.
        #expect(capacity.bottleneck?.hop == "target_analytics_ui", "\(capacity.bottleneck?.text ?? "no bottleneck")")
        #expect(capacity.bottleneck?.component == "the Analytics UI backend (target time)")
        #expect(capacity.steps.count == 1)
    }

    @Test func badUsageExitsTwo() throws {
        let (exitCode, output, result) = try search(Self.stalled.replacingOccurrences(of: "warmup: 2s", with: "warm_up: 2s"))
        #expect(exitCode == 2)
        #expect(output.contains("capacity.warm_up: unknown key \"warm_up\"; did you mean \"warmup\"?"), "\(output)")
        #expect(result == nil)
    }
}
