import Foundation
import Testing
@testable import GauntletCore

@Suite("Scenario decoding and validation")
struct ScenarioDecoderTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scenarios")

    func issues(_ yaml: String) -> [ScenarioIssue] {
        do {
            _ = try ScenarioDecoder.decode(yaml: yaml, file: "t.yaml")
            return []
        } catch {
            return error.issues
        }
    }

    @Test("every shipped scenario is valid", arguments: ["smoke", "baseline", "upload-heavy", "login-storm"])
    func shippedScenarios(name: String) throws {
        let path = Self.scenarios.appendingPathComponent("\(name).yaml").path
        let scenario = try ScenarioDecoder.load(path: path)
        #expect(scenario.name == name)
        #expect(!scenario.requestTypes.isEmpty)
        #expect(scenario.duration > 0)
        #expect(scenario.thresholds.contains { $0.metric == "routing.misroutes" })
    }

    @Test("smoke runs about ten seconds with all three request types")
    func smokeShape() throws {
        let scenario = try ScenarioDecoder.load(path: Self.scenarios.appendingPathComponent("smoke.yaml").path)
        #expect(scenario.duration == 10)
        #expect(scenario.phases.map(\.warmup) == [true, false])
        #expect(Set(scenario.requestTypes).isSuperset(of: [.upload, .ui, .api]))
        #expect(scenario.upload?.encoding == .gzip)
        #expect(scenario.ui?.pages.contains { $0.audience == .anonymous } == true)
    }

    @Test("the four-error fixture yields exactly four located errors")
    func fourErrors() throws {
        let path = Self.fixtures.appendingPathComponent("four-errors.yaml").path
        var caught: ScenarioValidationError?
        do { _ = try ScenarioDecoder.load(path: path) } catch { caught = error }
        let issues = try #require(caught).issues
        #expect(issues.count == 4, "\(issues)")
        let byPath = Dictionary(issues.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })

        let misspelt = try #require(byPath["requests.upload.batchs"])
        #expect((misspelt.line, misspelt.column) == (12, 5))
        #expect(misspelt.message.contains("did you mean \"batches\""))

        let notANumber = try #require(byPath["requests.ui.schedule.rate"])
        #expect(notANumber.line == 15)
        #expect(notANumber.message.contains("\"fast\""))
        #expect(notANumber.message.contains("requests per second"))

        let negative = try #require(byPath["requests.api.schedule.rate"])
        #expect(negative.line == 17)
        #expect(negative.message.contains("got -5, which is below 0"))

        let metric = try #require(byPath["thresholds[1]"])
        #expect(metric.line == 22)
        #expect(metric.column == 5)
        #expect(metric.message.contains("unknown metric \"latency.ui.p99.5\""))
        #expect(metric.description.hasPrefix("\(path):22:5: thresholds[1]: "))
    }

    @Test("an unknown top-level key suggests the close one, or lists the known ones")
    func unknownKeys() {
        let yaml = """
            name: t
            duraton: 10s
            requests:
              ui: { schedule: { kind: constant, rate: 1 } }
            colour: blue
            """
        let found = issues(yaml)
        #expect(found.contains { $0.path == "duraton" && $0.message.contains("did you mean \"duration\"") })
        #expect(found.contains { $0.path == "colour" && $0.message.contains("expected one of:") })
        #expect(found.contains { $0.path == "duration" && $0.message.contains("missing") })
    }

    @Test("YAML syntax errors carry their position")
    func syntaxError() {
        let found = issues("name: t\nrequests: { ui: [\n")
        #expect(found.count == 1)
        #expect(found[0].line >= 2)
        #expect(found[0].message.contains("YAML syntax error"))
    }

    @Test("an empty file and a non-mapping document are explained")
    func emptyAndScalar() {
        #expect(issues("").first?.message.contains("empty") == true)
        #expect(issues("- a\n- b\n").first?.message.contains("expected a scenario mapping") == true)
    }

    @Test("duration and phases are exclusive, and a run must measure something")
    func phases() {
        let both = issues("""
            name: t
            duration: 5s
            phases: [ { name: a, duration: 5s } ]
            requests: { ui: { schedule: { kind: constant, rate: 1 } } }
            """)
        #expect(both.contains { $0.path == "duration" && $0.message.contains("not both") })
        let allWarmup = issues("""
            name: t
            phases: [ { name: a, duration: 5s, warmup: true } ]
            requests: { ui: { schedule: { kind: constant, rate: 1 } } }
            """)
        #expect(allWarmup.contains { $0.message.contains("nothing would be measured") })
    }

    @Test("schedules of every kind decode")
    func scheduleKinds() throws {
        let yaml = """
            name: kinds
            duration: 30s
            users: { managers: 1, analysts: 1 }
            requests:
              upload: { schedule: { kind: ramp, from: 0, to: 100, duration: 10s } }
              ui: { schedule: { kind: steps, steps: [ { rate: 5, duration: 10s }, { rate: 600/m, duration: 10s } ] } }
              api:
                schedule: { kind: spike, base: 1, peak: 50, at: 10s, duration: 5s }
                calls: [ { path: /analytics/api/counts } ]
              http:
                schedule: { kind: max, connections: 4 }
                requests: [ { url: "https://127.0.0.1:8443/health", expect_status: 204 } ]
            """
        let scenario = try ScenarioDecoder.decode(yaml: yaml, file: "t.yaml")
        #expect(scenario.upload?.schedule == .ramp(from: 0, to: 100, duration: 10))
        #expect(scenario.ui?.schedule == .steps([.init(rate: 5, duration: 10), .init(rate: 10, duration: 10)]))
        #expect(scenario.api?.schedule == .spike(base: 1, peak: 50, at: 10, duration: 5))
        #expect(scenario.httpRequests?.schedule == .max(connections: 4))
        #expect(scenario.httpRequests?.requests.first?.expectStatus == 204)
        #expect(scenario.upload?.batches == [.init(events: 100)])
    }

    @Test("http.connections: auto opens connections as needed, up to max_connections")
    func autoConnections() throws {
        let yaml = """
            name: auto
            duration: 10s
            http: { connections: auto, max_connections: 200 }
            requests:
              http:
                schedule: { kind: constant, rate: 100 }
                requests: [ { url: "http://127.0.0.1:8080/" } ]
            """
        let scenario = try ScenarioDecoder.decode(yaml: yaml, file: "t.yaml")
        #expect(scenario.http.autoConnections)
        #expect(scenario.http.connectionCap == 200)
        let found = issues(yaml.replacingOccurrences(of: "connections: auto", with: "connections: many"))
        #expect(found.map(\.path) == ["http.connections"])
        #expect(found.first?.message.contains("`auto`") == true)
        #expect(found.first?.line == 3)
    }

    @Test("bad schedule kinds and missing fields are named")
    func badSchedules() {
        let found = issues("""
            name: t
            duration: 10s
            requests:
              ui: { schedule: { kind: constnat, rate: 1 } }
              upload: { schedule: { kind: spike, base: 1, peak: 5, at: 20s, duration: 1s } }
            """)
        #expect(found.contains { $0.path == "requests.ui.schedule.kind" && $0.message.contains("did you mean \"constant\"") })
        #expect(found.contains { $0.path == "requests.upload.schedule.at" && $0.message.contains("within the run") })
    }

    @Test("thresholds on request types the scenario does not send are rejected")
    func thresholdForAbsentType() {
        let found = issues("""
            name: t
            duration: 10s
            requests: { ui: { schedule: { kind: constant, rate: 1 } } }
            thresholds: [ "latency.upload.p99 < 1s", "upload.events_per_second > 10", "latency.ui.p99 < 100" ]
            """)
        #expect(found.contains { $0.path == "thresholds[0]" && $0.message.contains("no upload requests") })
        #expect(found.contains { $0.path == "thresholds[1]" && $0.message.contains("no uploads") })
        #expect(found.contains { $0.path == "thresholds[2]" && $0.message.contains("duration with a unit") })
    }

    @Test("a remote target needs URLs; embedded takes faults")
    func targets() throws {
        let remote = issues("""
            name: t
            duration: 10s
            target: { ca_file: ca.pem, dns: nowhere }
            requests: { ui: { schedule: { kind: constant, rate: 1 } } }
            """)
        #expect(remote.contains { $0.path == "target" && $0.message.contains("lb") })
        #expect(remote.contains { $0.path == "target.dns" })

        let scenario = try ScenarioDecoder.decode(yaml: """
            name: t
            duration: 10s
            target: { embedded: { faults: { misroute: 1%, stall: { every: 5s, for: 500ms } } } }
            requests: { ui: { schedule: { kind: constant, rate: 1 } } }
            """, file: "t.yaml")
        #expect(scenario.target == .embedded(EmbeddedTarget(faults: Faults(misroute: 0.01, stallEvery: 5, stallFor: 0.5))))
    }

    @Test("a delay slows one component by a fraction of its time or a fixed time")
    func delayFault() throws {
        func target(_ delay: String) throws -> Target {
            try ScenarioDecoder.decode(yaml: """
                name: t
                duration: 10s
                target: { embedded: { faults: { delay: \(delay) } } }
                requests: { ui: { schedule: { kind: constant, rate: 1 } } }
                """, file: "t.yaml").target
        }
        #expect(try target("{ component: analytics-ui, add: 10% }") == .embedded(EmbeddedTarget(faults: Faults(delayComponent: "analytics-ui", delayFraction: 0.1))))
        #expect(try target("{ component: manager-ui, add: 5ms }") == .embedded(EmbeddedTarget(faults: Faults(delayComponent: "manager-ui", delaySeconds: 0.005))))
        let found = issues("""
            name: t
            duration: 10s
            target: { embedded: { faults: { delay: { component: analytics, add: soon } } } }
            requests: { ui: { schedule: { kind: constant, rate: 1 } } }
            """)
        #expect(found.contains { $0.path == "target.embedded.faults.delay.component" && $0.message.contains("analytics-ui") })
        #expect(found.contains { $0.path == "target.embedded.faults.delay.add" && $0.message.contains("5ms") && $0.line == 3 })
        let missing = issues("""
            name: t
            duration: 10s
            target: { embedded: { faults: { delay: { component: analytics-ui } } } }
            requests: { ui: { schedule: { kind: constant, rate: 1 } } }
            """)
        #expect(missing.contains { $0.path == "target.embedded.faults.delay.add" && $0.message.contains("required") })
    }

    @Test("UI and API requests need users")
    func emptyPopulation() {
        let found = issues("""
            name: t
            duration: 10s
            users: { managers: 0, analysts: 0 }
            requests: { ui: { schedule: { kind: constant, rate: 1 } } }
            """)
        #expect(found.contains { $0.path == "users" && $0.message.contains("population is empty") })
    }

    @Test("duplicate keys are errors, not silently last-wins")
    func duplicateKeys() {
        let found = issues("""
            name: t
            name: u
            duration: 10s
            requests: { ui: { schedule: { kind: constant, rate: 1 } } }
            """)
        #expect(found.contains { $0.message.contains("duplicate key \"name\"") && $0.line == 2 }, "\(found)")
    }
}
