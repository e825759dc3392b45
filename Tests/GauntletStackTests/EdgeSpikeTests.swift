import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import Testing

@testable import StackEdge

/// Issue 14's spike at rates a 2-core CI machine holds: a target group of known capacity (1 connection to a
/// target that takes 50 ms: 20 requests/s), offered 5/s, then 60/s for 2 s, then 5/s again, open loop. The
/// LB and the client share one debug-built process on a busy 2-core machine, so the rates stay where that
/// process keeps up: what is measured is the LB's shedding, not the test's own CPU.
/// The LB must shed the excess fast with ALB's answers and be back to its pre-spike latency within seconds.
@Suite("the load balancer under a spike", .serialized)
struct EdgeSpikeTests {
    struct Sample: Sendable {
        var intended: Double
        var latency: Double
        var service: Double
        var status: Int
    }

    final class SampleLog: Sendable {
        let samples = Mutex<[Sample]>([])
    }

    /// Requests at `rate(t)` per second for `seconds`, each sent at its intended time whatever came before.
    static func openLoop(url: String, client: HTTPClient, seconds: Double, rate: @Sendable (Double) -> Double) async -> [Sample] {
        let log = SampleLog()
        let clock = ContinuousClock()
        let start = clock.now
        await withTaskGroup(of: Void.self) { group in
            var t = 0.0
            while t < seconds {
                let intended = t
                try? await clock.sleep(until: start + .nanoseconds(Int64(intended * 1e9)))
                group.addTask {
                    let sent = clock.now
                    var status = 0
                    if let reply = try? await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10)) {
                        status = Int(reply.status.code)
                        _ = try? await reply.body.collect(upTo: 1 << 20)
                    }
                    let done = clock.now
                    func secs(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
                    let sample = Sample(intended: intended, latency: secs(done - start) - intended, service: secs(done - sent), status: status)
                    log.samples.withLock { $0.append(sample) }
                }
                t += 1 / rate(t)
            }
        }
        return log.samples.withLock { $0 }
    }

    static func p99(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)]
    }

    static func residentBytes() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
    }

    @Test("a spike past a target group's capacity is shed with fast 503s, and latency recovers within seconds")
    func spikeIsShedAndRecovers() async throws {
        let (spikeStart, spikeEnd, total) = (4.0, 6.0, 13.0)
        try await EdgeHarness.with(configure: { config, manager, _ in
            var c = config.withTargets(EdgeConfig.managerTargetGroup, [manager])
            c.targetGroups["bounded"] = .init(targets: [manager])
            c.targetMaxConnections = 1
            c.targetMaxQueued = 1
            c.targetConnectionWait = 0.02
            c.rules.insert(ListenerRule(priority: 1, conditions: [.pathPattern([.init("/bounded/*", caseSensitive: true)])],
                                        actions: [.forward(targetGroup: "bounded")]), at: 0)
            return c
        }) { h in
            var clientConfig = HTTPClient.Configuration(tlsConfiguration: EdgeTestPKI.shared.client)
            clientConfig.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfig)
            // Open the client's whole pool first (16 requests at once), so that the spike measures the LB's
            // answers, not new TLS handshakes in a debug build sharing the process with the LB.
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<16 {
                    group.addTask { _ = try? await client.execute(HTTPClientRequest(url: h.base + "/bounded/busy"), timeout: .seconds(10)) }
                }
            }
            _ = await Self.openLoop(url: h.base + "/bounded/busy", client: client, seconds: 1, rate: { _ in 5 })
            let rssBefore = Self.residentBytes()

            let samples = await Self.openLoop(url: h.base + "/bounded/busy", client: client, seconds: total) { t in
                t >= spikeStart && t < spikeEnd ? 60 : 5
            }
            let rssAfter = Self.residentBytes()
            try await client.shutdown()

            let statuses = Dictionary(grouping: samples, by: \.status).mapValues(\.count)
            #expect(Set(statuses.keys).isSubset(of: [200, 503, 504]), "\(statuses)")
            let refused = samples.filter { $0.status == 503 }
            #expect(refused.count >= 50, "the spike offered 120 against ~40 of capacity: \(statuses)")
            // Fast refusals, as the LB itself timed them (`request_processing_time` of its own 503s in the access
            // log: from the request's arrival to the answer, the bounded wait included). The client's view is
            // in the message: it shares this process, and when the whole suite runs on 2 cores it is starved.
            var logged: [Double] = []
            var previous = -1
            for _ in 0..<100 {
                let log = (try? String(contentsOfFile: h.accessLogPath, encoding: .utf8)) ?? ""
                logged = log.split(separator: "\n").filter { $0.contains("/bounded/busy") && $0.contains(" 503 - ") }
                    .compactMap { line in line.split(separator: " ").dropFirst(5).first.flatMap { Double($0) } }
                // Settled: enough lines, and none added since the last look (the writer may still be flushing).
                if logged.count >= refused.count, logged.count == previous { break }
                previous = logged.count
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(logged.count >= refused.count, "every refusal is in the access log (after the warm-up's)")
            // The measured run's refusals are the log's last ones (the warm-up's came first, handshakes and all).
            let measured = Array(logged.suffix(refused.count))
            #expect(Self.p99(measured) < 0.1,
                    "refusals must be fast: the LB's p99 \(Self.p99(measured)) s; the client saw p99 \(Self.p99(refused.map(\.service))) s")

            // Per-second p99 by intended second: before the spike, and from 5 s after it on.
            let bySecond = Dictionary(grouping: samples) { Int($0.intended) }.mapValues { Self.p99($0.map(\.latency)) }
            let before = (1..<Int(spikeStart)).compactMap { bySecond[$0] }.max() ?? 0
            let bound = 2 * max(before, 0.06)
            for second in Int(spikeEnd) + 5..<Int(total) {
                let p99 = bySecond[second] ?? 0
                #expect(p99 <= bound, "second \(second): p99 \(p99) s against \(before) s before the spike")
            }
            #expect(Double(rssAfter) <= 1.5 * Double(rssBefore), "RSS \(rssBefore) → \(rssAfter)")

            // The refusals are the LB's own: counted in its metrics under ALB-style reasons.
            let metrics = h.lb.metricsText
            let shed = metrics.split(separator: "\n").filter {
                $0.hasPrefix("lb_refused_total") && ($0.contains(EdgeProxy.capacityReason) || $0.contains(EdgeProxy.waitTimeoutReason))
            }
            let count = shed.compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
            #expect(Int(count) >= refused.count, "\(metrics)")
        }
    }

    @Test("refusals are in the access log as ALB writes its own 503s: no target status, the reason named")
    func refusalsAreLogged() async throws {
        let captured = LogCapture()
        try await EdgeHarness.with(configure: { config, manager, _ in
            var c = config.withTargets(EdgeConfig.managerTargetGroup, [manager])
            c.targetGroups["tiny"] = .init(targets: [manager])
            c.targetMaxConnections = 1
            c.targetMaxQueued = 0
            c.rules.insert(ListenerRule(priority: 1, conditions: [.pathPattern([.init("/tiny/*", caseSensitive: true)])],
                                        actions: [.forward(targetGroup: "tiny")]), at: 0)
            return c
        }) { h in
            async let slow = h.get("/tiny/slow")
            try await Task.sleep(for: .milliseconds(300))
            let refused = try await h.get("/tiny/fast")
            #expect(refused.status == 503 && refused.header("server") == "awselb/2.0")
            #expect(try await slow.status == 504, "target_timeout is 1 s in the harness; the target takes 1.5 s")
            for _ in 0..<50 {
                let log = (try? String(contentsOfFile: h.accessLogPath, encoding: .utf8)) ?? ""
                captured.text.withLock { $0 = log }
                if log.split(separator: "\n").count >= 2 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        let lines = captured.text.withLock { $0 }.split(separator: "\n")
        let refusal = try #require(lines.first { $0.contains("/tiny/fast") })
        #expect(refusal.contains(" 503 - "), "\(refusal)")
        #expect(refusal.contains("\"\(EdgeProxy.capacityReason)\""), "\(refusal)")
        let timeout = try #require(lines.first { $0.contains("/tiny/slow") })
        #expect(timeout.contains(" 504 - ") && timeout.contains("\"TargetResponseTimeout\""), "\(timeout)")
    }
}
