import Foundation
import Testing
@testable import GauntletCore
@testable import GauntletDriver

/// Live runs against a local fake edge (127.0.0.1, ephemeral port), a few seconds each.
@Suite(.serialized, .timeLimit(.minutes(1))) struct DriverRunTests {
    static func users() -> [Endpoints.User] {
        [
            .init(username: "alice", password: "pw-alice", groups: ["managers"]),
            .init(username: "dave", password: "pw-dave", groups: ["managers"]),
            .init(username: "bob", password: "pw-bob", groups: ["analysts"]),
            .init(username: "carol", password: "pw-carol", groups: ["analysts"]),
        ]
    }

    static func endpoints(_ edge: FakeEdge) -> Endpoints {
        Endpoints(urls: .init(lb: edge.base, idp: edge.base, upload: edge.base), users: users(), apiKeys: ["good"])
    }

    static func scenario(
        duration: Double = 2, warmup: Double = 0, http: GenericRequests? = nil, ui: UIRequests? = nil, api: APIRequests? = nil,
        upload: UploadRequests? = nil, timeout: Double = 5, connections: Int = 8, workers: Int = 1, thresholds: [String] = []
    ) -> Scenario {
        var phases = [Phase(name: "steady", duration: duration)]
        if warmup > 0 { phases.insert(Phase(name: "warmup", duration: warmup, warmup: true), at: 0) }
        return Scenario(
            name: "test", seed: 42, target: .remote(RemoteTarget()), users: Users(managers: 2, analysts: 2), phases: phases,
            http: HTTPSettings(timeout: timeout, connections: connections, workers: workers), upload: upload, ui: ui, api: api,
            httpRequests: http, thresholds: thresholds.map { try! Threshold.parse($0) })
    }

    @Test func openLoopDeliversTheScheduledRate() async throws {
        let edge = try FakeEdge()
        defer { edge.stop() }
        let scenario = Self.scenario(
            duration: 2, warmup: 0.5,
            http: GenericRequests(schedule: .constant(rate: 100), requests: [.init(url: edge.base + "/ok", expectStatus: 204)]),
            workers: 2)
        let result = try await Driver.run(scenario: scenario, endpoints: Self.endpoints(edge), options: DriverOptions())
        let stats = try #require(result.summary.stats(for: .http))
        #expect(stats.phases.map(\.stats.count) == [50, 200], "\(result.timeSeries.map { ($0.second, $0.count) })")
        #expect(stats.total.count == 200)
        #expect(abs(stats.total.achievedRate - 100) <= 2)
        #expect(stats.total.ok == 200)
        #expect(result.summary.misroutes.total == 0)
        // Lag is measured (not asserted small at p99: this machine runs many builds at once).
        #expect((result.summary.scheduleLag.lag?.p50 ?? 1) < 0.1)
        let latency = try #require(stats.total.latency)
        #expect(latency.p50 > 0 && latency.p50 < 1)   // loose: CI machines here run many builds at once
        #expect(result.summary.partial == false)
        #expect(result.summary.elapsed < 2.5 + 1.5)
    }

    @Test func browserUsersLogInAndEveryCellOfTheMatrixHolds() async throws {
        let edge = try FakeEdge()
        defer { edge.stop() }
        let scenario = Self.scenario(
            duration: 2,
            ui: UIRequests(schedule: .constant(rate: 40), pages: [
                .init(path: "/", weight: 2), .init(path: "/manager/users", audience: .managers),
                .init(path: "/manager/users", audience: .analysts), .init(path: "/analytics/search"), .init(path: "/", audience: .anonymous),
            ]),
            api: APIRequests(schedule: .constant(rate: 40), calls: [
                .init(path: "/analytics/api/search"), .init(path: "/manager/api/users", audience: .managers),
                .init(path: "/manager/api/users", audience: .analysts), .init(path: "/manager/api/users", audience: .anonymous),
            ]),
            upload: UploadRequests(schedule: .constant(rate: 20), batches: [.init(events: 10, eventBytes: 200)], encoding: .gzip, badKeyFraction: 0.2),
            thresholds: ["routing.misroutes == 0"])
        let result = try await Driver.run(scenario: scenario, endpoints: Self.endpoints(edge), options: DriverOptions())
        let summary = result.summary
        #expect(summary.misroutes.total == 0, "\(summary.misroutes)")
        #expect(summary.all.failed == 0, "\(summary.all.errors)")
        #expect(summary.stats(for: .ui)?.total.count == 80)
        #expect(summary.stats(for: .api)?.total.count == 80)
        #expect(summary.stats(for: .upload)?.total.count == 40)
        #expect(summary.auth.logins == 4)
        #expect(summary.auth.loginFailures == 0)
        for step in ["login", "login_redirect", "authorize", "login_form", "login_submit", "idpresponse", "token", "lb", "target", "ttfb"] {
            #expect(summary.auth.latency(of: step) != nil, "auth step \(step)")
        }
        #expect(abs((summary.auth.latency(of: "token")?.p50 ?? 0) - 0.0035) < 0.0001)
        let upload = try #require(summary.upload)
        #expect(upload.events == upload.batches * 10)
        #expect(upload.batches > 20 && upload.batches < 40)   // ~20% sent with a bad key, refused as expected
        #expect(summary.thresholdsPassed)
    }

    @Test func misroutesAreCaughtAndFailTheThreshold() async throws {
        let edge = try FakeEdge(misrouteEvery: 10)
        defer { edge.stop() }
        let scenario = Self.scenario(
            duration: 2,
            api: APIRequests(schedule: .constant(rate: 100), calls: [.init(path: "/analytics/api/counts")]),
            thresholds: ["routing.misroutes == 0"])
        let result = try await Driver.run(scenario: scenario, endpoints: Self.endpoints(edge), options: DriverOptions())
        let misroutes = result.summary.misroutes
        #expect(misroutes.total >= 18 && misroutes.total <= 21, "\(misroutes.total)")
        #expect(misroutes.kinds.first?.kind == .wrongBackend)
        #expect(misroutes.kinds.first?.examples.first?.servedBy == "manager-ui")
        #expect(result.summary.thresholds.first?.passed == false)
    }

    @Test func connectionRefusedIsAConnectError() async throws {
        let port = try Self.closedPort()
        let scenario = Self.scenario(duration: 1, http: GenericRequests(schedule: .constant(rate: 20), requests: [.init(url: "http://127.0.0.1:\(port)/")]))
        let result = try await Driver.run(scenario: scenario, endpoints: nil, options: DriverOptions())
        let stats = try #require(result.summary.stats(for: .http))
        #expect(stats.total.count == 20)
        #expect(stats.total.errors == [CategoryCount(category: "connect", count: 20)])
    }

    @Test func tlsToAPlainServerIsATLSError() async throws {
        let edge = try FakeEdge()
        defer { edge.stop() }
        let url = "https://127.0.0.1:\(edge.port)/ok"
        let scenario = Self.scenario(duration: 1, http: GenericRequests(schedule: .constant(rate: 10), requests: [.init(url: url, expectStatus: 204)]))
        let result = try await Driver.run(scenario: scenario, endpoints: nil, options: DriverOptions())
        #expect(result.summary.stats(for: .http)?.total.errors.map(\.category) == ["tls"])
    }

    @Test func slowResponsesTimeOut() async throws {
        let edge = try FakeEdge()
        defer { edge.stop() }
        let scenario = Self.scenario(
            duration: 1, http: GenericRequests(schedule: .constant(rate: 5), requests: [.init(url: edge.base + "/slow?s=2")]), timeout: 0.3)
        let result = try await Driver.run(scenario: scenario, endpoints: nil, options: DriverOptions())
        let stats = try #require(result.summary.stats(for: .http))
        #expect(stats.total.errors == [CategoryCount(category: "timeout", count: 5)])
        #expect((stats.total.serviceTime?.p50 ?? 0) >= 0.29)
        // The worker's sweep ends them close to the deadline, not a poll timeout or a run's end later.
        #expect((stats.total.serviceTime?.p50 ?? 1) < 0.5)
    }

    @Test func aClosedLoopKeepsSendingAfterTimeouts() async throws {
        let edge = try FakeEdge()
        defer { edge.stop() }
        // Two connections, every response 2 s late, 0.3 s timeout, 1 s run: each connection times out and
        // is re-sent at 0, 0.3, 0.6 and 0.9 s (the last ones time out in the grace period) — about 8 in all.
        // A timeout frees a connection without a completion; if nothing re-sent it, there would be 2.
        let scenario = Self.scenario(
            duration: 1, http: GenericRequests(schedule: .max(connections: 2), requests: [.init(url: edge.base + "/slow?s=2")]), timeout: 0.3)
        let result = try await Driver.run(scenario: scenario, endpoints: nil, options: DriverOptions())
        let stats = try #require(result.summary.stats(for: .http))
        #expect(stats.total.errors.map(\.category) == ["timeout"])
        #expect(stats.total.count >= 6 && stats.total.count <= 8, "\(stats.total.count)")
    }

    @Test func requestsCarryGauntletsUserAgentUnlessTheScenarioNamesOne() async throws {
        let edge = try FakeEdge()
        defer { edge.stop() }
        let scenario = Self.scenario(duration: 1, http: GenericRequests(schedule: .constant(rate: 20), requests: [
            .init(url: edge.base + "/agent?want=gauntlet/\(DriverInfo.version)", expectStatus: 204),
            .init(url: edge.base + "/agent?want=probe/1", headers: ["user-agent": "probe/1"], expectStatus: 204),
        ]))
        let result = try await Driver.run(scenario: scenario, endpoints: nil, options: DriverOptions())
        let stats = try #require(result.summary.stats(for: .http))
        #expect(stats.total.count == 20)
        #expect(stats.total.ok == 20, "\(stats.total.statuses)")
    }

    @Test func aStopRequestEndsTheRunWithPartialResults() async throws {
        let edge = try FakeEdge()
        defer { edge.stop() }
        let scenario = Self.scenario(duration: 10, http: GenericRequests(schedule: .constant(rate: 50), requests: [.init(url: edge.base + "/ok", expectStatus: 204)]))
        let stop = StopSignal()
        Task {
            try? await Task.sleep(nanoseconds: 1_000_000_000)
            stop.request("interrupted (SIGINT)")
        }
        let started = Date()
        let result = try await Driver.run(scenario: scenario, endpoints: nil, options: DriverOptions(stop: stop))
        #expect(Date().timeIntervalSince(started) < 4)
        #expect(result.summary.partial)
        #expect(result.summary.partialReason == "interrupted (SIGINT)")
        let count = result.summary.stats(for: .http)?.total.count ?? 0
        #expect(count >= 40 && count <= 80)
    }

    @Test func aPoissonScheduleIsHeldToTheArrivalsItDrewNotToItsMeanRate() async throws {
        let edge = try FakeEdge()
        defer { edge.stop() }
        let scenario = Self.scenario(
            duration: 2, http: GenericRequests(schedule: .poisson(rate: 50), requests: [.init(url: edge.base + "/ok", expectStatus: 204)]))
        // The lane's draw (seed + type index, as the worker seeds it): rarely exactly 100 in 2 s.
        let drawn = ArrivalSchedule.poisson(rate: 50).intendedTimes(runDuration: 2, seed: scenario.seed &+ UInt64(RequestType.http.index)).count
        let result = try await Driver.run(scenario: scenario, endpoints: nil, options: DriverOptions())
        let stats = try #require(result.summary.stats(for: .http))
        #expect(stats.total.count == drawn)
        #expect(stats.total.intendedCount == Double(drawn))
        #expect(abs((stats.total.intendedRate ?? 0) - Double(drawn) / 2) < 1e-9)
        #expect(!result.summary.warnings.contains { $0.contains("FELL BEHIND") }, "\(result.summary.warnings)")
    }

    @Test func arrivalsLeftUnsentAtAStopStillCountAsScheduled() async throws {
        let edge = try FakeEdge()
        defer { edge.stop() }
        // One connection held by a 5 s response: the arrivals every 50 ms behind it are never sent. A stop
        // at 1 s ends the run (the held request times out at 2 s); the summary must hold the one request
        // sent against the twenty or so due before the stop, and say the generator fell behind.
        let scenario = Self.scenario(
            duration: 10, http: GenericRequests(schedule: .constant(rate: 20), requests: [.init(url: edge.base + "/slow?s=5")]),
            timeout: 2, connections: 1)
        let stop = StopSignal()
        Task {
            try? await Task.sleep(nanoseconds: 1_000_000_000)
            stop.request("interrupted (SIGINT)")
        }
        let result = try await Driver.run(scenario: scenario, endpoints: nil, options: DriverOptions(stop: stop))
        let stats = try #require(result.summary.stats(for: .http))
        #expect(stats.total.count == 1)
        #expect(stats.total.errors == [CategoryCount(category: "timeout", count: 1)])
        let intended = try #require(stats.total.intendedCount)
        #expect(intended >= 18 && intended <= 30, "intended \(intended), warnings \(result.summary.warnings)")
        #expect(result.summary.warnings.contains { $0.contains("GENERATOR FELL BEHIND") }, "\(result.summary.warnings)")
    }

    @Test func aTargetThatDiesIsCountedAsErrorsAndTheRunEndsOnSchedule() async throws {
        let edge = try FakeEdge()
        let scenario = Self.scenario(duration: 3, http: GenericRequests(schedule: .constant(rate: 50), requests: [.init(url: edge.base + "/ok", expectStatus: 204)]))
        Task {
            try? await Task.sleep(nanoseconds: 1_500_000_000)
            edge.stop()
        }
        let started = Date()
        let result = try await Driver.run(scenario: scenario, endpoints: nil, options: DriverOptions())
        #expect(Date().timeIntervalSince(started) < 3 + 2)
        let stats = try #require(result.summary.stats(for: .http))
        #expect(stats.total.count == 150)
        #expect(stats.total.ok >= 60 && stats.total.ok <= 90)
        let categories = Set(stats.total.errors.map(\.category))
        #expect(!categories.isEmpty && categories.isSubset(of: ["connect", "reset"]), "\(categories)")
        #expect(result.summary.partial == false)
    }

    @Test func uploadsWithABearerTokenFetchItOnceAndUseIt() async throws {
        let edge = try FakeEdge()
        defer { edge.stop() }
        var endpoints = Self.endpoints(edge)
        endpoints.clients = Endpoints.Clients(web: nil, api: nil, uploader: .init(clientId: "up", clientSecret: "sec", scope: "events/write"))
        let scenario = Self.scenario(
            duration: 1, upload: UploadRequests(schedule: .constant(rate: 20), batches: [.init(events: 5)], auth: .bearer))
        let result = try await Driver.run(scenario: scenario, endpoints: endpoints, options: DriverOptions())
        let summary = result.summary
        #expect(summary.stats(for: .upload)?.total.ok == 20, "\(summary.all.errors) \(summary.all.statuses)")
        #expect(summary.upload?.events == 100)
        #expect(summary.auth.latency(of: "token")?.count == 1)
    }

    @Test func bearerUploadsWithoutAnUploaderClientAreAnInvalidTarget() async throws {
        let scenario = Self.scenario(duration: 1, upload: UploadRequests(schedule: .constant(rate: 1), batches: [.init(events: 1)], auth: .bearer))
        await #expect(throws: DriverError.self) {
            _ = try await Driver.run(scenario: scenario, endpoints: Endpoints(urls: .init(lb: nil, idp: "http://127.0.0.1:1", upload: "http://127.0.0.1:1")), options: DriverOptions())
        }
    }

    @Test func namesAreResolvedThroughTheTargetsDNSAndPinnedUntilTheTTLEnds() async throws {
        let edge = try FakeEdge()
        let dns = try FakeDNS(ttl: 1)
        defer {
            edge.stop()
            dns.stop()
        }
        var scenario = Self.scenario(
            duration: 3.5, api: APIRequests(schedule: .constant(rate: 20), calls: [.init(path: "/manager/api/users", audience: .anonymous)]))
        scenario.target = .remote(RemoteTarget(lb: "http://lb.gauntlet.test:\(edge.port)", dns: "127.0.0.1:\(dns.port)"))
        let result = try await Driver.run(scenario: scenario, endpoints: nil, options: DriverOptions())
        let summary = result.summary
        #expect(summary.stats(for: .api)?.total.ok == 70, "\(summary.all.errors)")   // 401 for anonymous API calls, as expected
        let lookups = try #require(summary.auth.latency(of: "dns"))
        // One lookup at the start, then one each time the 1 s TTL ran out (checked once a second).
        #expect(lookups.count >= 2 && lookups.count <= 5, "\(lookups.count) lookups")
        #expect(dns.queries() == lookups.count)
    }

    @Test func theRequestLogHasOneLinePerRequestInReplaysFormat() async throws {
        let edge = try FakeEdge()
        defer { edge.stop() }
        var scenario = Self.scenario(
            duration: 1, http: GenericRequests(schedule: .constant(rate: 20), requests: [.init(url: edge.base + "/ok?q=\"x\"", expectStatus: 204)]))
        scenario.http.requestLog = true
        let path = NSTemporaryDirectory() + "gauntlet-requests-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let intervalsPath = path + ".intervals"
        defer { try? FileManager.default.removeItem(atPath: intervalsPath) }
        let result = try await Driver.run(scenario: scenario, endpoints: nil, options: DriverOptions(requestLogPath: path, intervalsPath: intervalsPath))
        // Interval histograms were streamed to their file, not kept in memory.
        #expect(result.intervals.isEmpty)
        let intervals = try String(contentsOfFile: intervalsPath, encoding: .utf8).split(separator: "\n")
        #expect(!intervals.isEmpty && intervals.allSatisfy { $0.contains("\"tag\"") == false && $0.contains("\"corrected\"") })
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 20)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["type"] as? String == "http")
        #expect(first["status"] as? Int == 204)
        #expect(first["url"] as? String == edge.base + "/ok?q=\"x\"")
        #expect((first["t"] as? Double).map { $0 >= 0 && $0 < 1 } == true)
        #expect(first["latency"] is Double)
        #expect(first["phase"] as? String == "steady")
    }

    @Test func usersLogInAgainWhenTheirSessionEnds() async throws {
        let edge = try FakeEdge(sessionLifetime: 1)
        defer { edge.stop() }
        let scenario = Self.scenario(
            duration: 3,
            ui: UIRequests(schedule: .constant(rate: 20), pages: [.init(path: "/analytics/search")]),
            api: APIRequests(schedule: .constant(rate: 20), calls: [.init(path: "/analytics/api/search")]),
            thresholds: ["routing.misroutes == 0"])
        let result = try await Driver.run(scenario: scenario, endpoints: Self.endpoints(edge), options: DriverOptions())
        let summary = result.summary
        #expect(summary.misroutes.total == 0, "\(summary.misroutes.kinds)")
        #expect(summary.all.failed == 0, "\(summary.all.errors)")
        #expect(summary.all.count == 120)
        #expect(summary.auth.refreshes >= 4, "\(summary.auth.refreshes) re-logins")   // 4 users, sessions of 1 s, 3 s run
        #expect(summary.auth.logins > 4)
    }

    @Test func freshnessIsTheTimeUntilSearchFindsAnAcknowledgedBatch() async throws {
        let edge = try FakeEdge()
        defer { edge.stop() }
        let scenario = Self.scenario(
            duration: 2, upload: UploadRequests(schedule: .constant(rate: 20), batches: [.init(events: 3)], encoding: .gzip, freshnessSample: 0.25))
        let result = try await Driver.run(scenario: scenario, endpoints: Self.endpoints(edge), options: DriverOptions())
        let freshness = try #require(result.summary.upload?.freshness)
        #expect(freshness.count >= 3 && freshness.count <= 20, "\(freshness.count) samples")
        // The fake edge makes a batch searchable 0.2 s after acknowledging it; probes poll every 50 ms.
        #expect(freshness.p50 >= 0.19 && freshness.p50 < 0.6, "\(freshness)")
        #expect(result.summary.value(of: "upload.freshness.p99") != nil)
    }

    @Test func closedLoopUIRequestsWaitForTheirLoginsInsteadOfSpinning() async throws {
        let edge = try FakeEdge()
        defer { edge.stop() }
        let scenario = Self.scenario(duration: 1.5, ui: UIRequests(schedule: .max(connections: 4), pages: [.init(path: "/analytics/search")]))
        let result = try await Driver.run(scenario: scenario, endpoints: Self.endpoints(edge), options: DriverOptions())
        let stats = try #require(result.summary.stats(for: .ui)?.total)
        #expect(stats.count > 20)
        #expect(stats.failed == 0, "\(stats.errors)")
        #expect(stats.intendedRate == nil)
        #expect(result.summary.auth.logins == 4)
    }

    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
