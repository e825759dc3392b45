import Foundation
import Testing
import StackSupport
import Yams

@testable import StackEdge

@Suite("Listener rules")
struct RulesEngineTests {
    static let engine = EdgeConfig().ruleEngine

    enum Who: String, CaseIterable, Sendable { case anonymous, manager, analyst, nobody }

    static func session(_ who: Who) -> RuleEngine.Session {
        switch who {
        case .anonymous: return .none
        case .manager: return .authenticated(groups: ["managers"])
        case .analyst: return .authenticated(groups: ["analysts"])
        case .nobody: return .authenticated(groups: [])
        }
    }

    enum Expect: Equatable, Sendable { case login, deny, manager, analytics, forbidden, notFound }

    static func simplify(_ outcome: RuleEngine.Decision.Outcome) -> Expect? {
        switch outcome {
        case .startLogin: return .login
        case .deny: return .deny
        case .forward(EdgeConfig.managerTargetGroup): return .manager
        case .forward(EdgeConfig.analyticsTargetGroup): return .analytics
        case let .fixedResponse(f) where f.statusCode == 403: return .forbidden
        case let .fixedResponse(f) where f.statusCode == 404: return .notFound
        default: return nil
        }
    }

    /// Issue 4's matrix, cell by cell (plus a user in neither group and an unknown path).
    static let matrix: [(String, Who, Expect)] = [
        ("/", .anonymous, .login), ("/", .manager, .manager), ("/", .analyst, .analytics), ("/", .nobody, .forbidden),
        ("/manager/users", .anonymous, .login), ("/manager/users", .manager, .manager), ("/manager/users", .analyst, .forbidden),
        ("/manager", .analyst, .forbidden), ("/manager", .manager, .manager),
        ("/analytics/search", .anonymous, .login), ("/analytics/search", .manager, .analytics), ("/analytics/search", .analyst, .analytics),
        ("/manager/api/users", .anonymous, .deny), ("/manager/api/users", .manager, .manager), ("/manager/api/users", .analyst, .forbidden),
        ("/analytics/api/search", .anonymous, .deny), ("/analytics/api/search", .manager, .analytics),
        ("/analytics/api/search", .analyst, .analytics), ("/analytics/api/search", .nobody, .forbidden),
        ("/favicon.ico", .anonymous, .login), ("/favicon.ico", .manager, .notFound),
        ("/managerial", .manager, .notFound), ("/Manager/users", .manager, .notFound),
    ]

    @Test("default rules implement the routing matrix", arguments: matrix)
    func defaultMatrix(path: String, who: Who, expected: Expect) {
        let facts = RequestFacts(host: "example.logs.gauntlet.test:8443", path: path)
        let decision = Self.engine.evaluate(facts, session: Self.session(who))
        #expect(Self.simplify(decision.outcome) == expected, "\(path) as \(who)")
    }

    @Test func decisionsCarryPriorityActionsAndUser() {
        let facts = RequestFacts(host: "h", path: "/manager/api/users")
        let asManager = Self.engine.evaluate(facts, session: .authenticated(groups: ["managers"]))
        #expect(asManager.priority == 10)
        #expect(asManager.actionsExecuted == ["authenticate", "forward"])
        #expect(asManager.withUser)
        let anonymous = Self.engine.evaluate(facts, session: .none)
        #expect(anonymous.priority == 10)
        #expect(anonymous.actionsExecuted == ["authenticate"])
        #expect(!anonymous.withUser)
        let asAnalyst = Self.engine.evaluate(facts, session: .authenticated(groups: ["analysts"]))
        #expect(asAnalyst.priority == 11)
        let unknown = Self.engine.evaluate(RequestFacts(host: "h", path: "/x"), session: .authenticated(groups: []))
        #expect(unknown.priority == nil)
    }

    @Test(arguments: [
        ("/manager/*", "/manager/", true), ("/manager/*", "/manager", false), ("/a?c", "/abc", true), ("/a?c", "/ac", false),
        ("*.png", "/img/x.png", true), ("/api/*/items", "/api/v1/items", true), ("/api/*/items", "/api/v1/things", false),
        ("*", "", true), ("/A*", "/a", false), ("**x", "/aaaax", true),
    ])
    func pathPatterns(pattern: String, path: String, matches: Bool) {
        #expect(WildcardPattern(pattern, caseSensitive: true).matches(path) == matches)
    }

    @Test func hostHeaderIsCaseInsensitiveAndIgnoresPort() {
        let condition = RuleCondition.hostHeader([WildcardPattern("*.logs.gauntlet.test", caseSensitive: false)])
        #expect(condition.matches(RequestFacts(host: "Example.LOGS.gauntlet.test:8443", path: "/"), groups: []))
        #expect(!condition.matches(RequestFacts(host: "example.logs.gauntlet.org", path: "/"), groups: []))
    }

    @Test func headerMethodQueryAndSourceIP() throws {
        let facts = RequestFacts(host: "h", path: "/p", rawQuery: "version=v2&debug&q=a%20b", method: "POST",
                                 headers: [.init(name: "User-Agent", value: "Mozilla/5.0 Mobile")], sourceIP: "10.1.2.3")
        #expect(RuleCondition.httpHeader(name: "user-agent", values: [WildcardPattern("*mobile*", caseSensitive: false)]).matches(facts, groups: []))
        #expect(!RuleCondition.httpHeader(name: "X-Other", values: [WildcardPattern("*", caseSensitive: false)]).matches(facts, groups: []))
        #expect(RuleCondition.httpRequestMethod(["GET", "POST"]).matches(facts, groups: []))
        #expect(!RuleCondition.httpRequestMethod(["post"]).matches(facts, groups: []))
        #expect(RuleCondition.queryString([.init(key: "VERSION", value: "v*")]).matches(facts, groups: []))
        #expect(RuleCondition.queryString([.init(key: nil, value: "a b")]).matches(facts, groups: []))
        #expect(!RuleCondition.queryString([.init(key: "version", value: "v1")]).matches(facts, groups: []))
        #expect(RuleCondition.sourceIP([try CIDRBlock("10.0.0.0/8")]).matches(facts, groups: []))
        #expect(!RuleCondition.sourceIP([try CIDRBlock("10.1.2.0/31")]).matches(RequestFacts(host: "h", path: "/", sourceIP: "10.1.2.3"), groups: []))
        #expect(try CIDRBlock("::1/128").contains("::1"))
        #expect(try CIDRBlock("2001:db8::/32").contains("2001:db8:0:1::5"))
        #expect(!(try CIDRBlock("2001:db8::/32").contains("10.0.0.1")))
        #expect(throws: EdgeConfigError.self) { try CIDRBlock("10.0.0.0/33") }
        #expect(throws: EdgeConfigError.self) { try CIDRBlock("300.0.0.0/8") }
    }

    @Test func onUnauthenticatedAllowFallsThroughWithoutUser() {
        let rules = [
            ListenerRule(priority: 1, conditions: [.pathPattern([WildcardPattern("/open/*", caseSensitive: true)]), .group(["managers"])],
                         actions: [.authenticate(.init(onUnauthenticated: .allow)), .forward(targetGroup: "a")]),
            ListenerRule(priority: 2, conditions: [.pathPattern([WildcardPattern("/open/*", caseSensitive: true)])],
                         actions: [.authenticate(.init(onUnauthenticated: .allow)), .forward(targetGroup: "b")]),
        ]
        let engine = RuleEngine(rules: rules.reversed(), defaultActions: [.fixedResponse(.init(statusCode: 404))])
        let anonymous = engine.evaluate(RequestFacts(host: "h", path: "/open/x"), session: .none)
        #expect(anonymous.outcome == .forward(targetGroup: "b"))
        #expect(!anonymous.withUser)
        let manager = engine.evaluate(RequestFacts(host: "h", path: "/open/x"), session: .authenticated(groups: ["managers"]))
        #expect(manager.outcome == .forward(targetGroup: "a"))
        #expect(manager.withUser)
    }

    @Test func redirectKeepsUnsetParts() {
        let redirect = RuleAction.Redirect(host: "new.example.test", statusCode: 301)
        let facts = RequestFacts(host: "old.example.test:8443", path: "/a/b", rawQuery: "x=1")
        #expect(redirect.location(for: facts, listenerPort: 8443) == "https://new.example.test:8443/a/b?x=1")
        #expect(RuleAction.Redirect(port: 443, path: "/home", query: "").location(for: facts, listenerPort: 8443) == "https://old.example.test/home")
    }

    @Test func yamlConfigDecodesWithDefaults() throws {
        let yaml = """
        listener_port: 8443
        session_timeout: 3600
        target_groups:
          manager-ui: [https://127.0.0.1:9001]
          analytics-ui: {targets: [https://127.0.0.1:9002, https://127.0.0.1:9003]}
          mine: [http://127.0.0.1:7000]
        rules:
          - priority: 5
            conditions:
              - host-header: api.example.test
              - path-pattern: ["/v1/*"]
              - http-header: {name: X-Canary, values: ["yes"]}
              - query-string: ["mode=fast", {value: "x"}]
              - http-request-method: [GET, HEAD]
              - source-ip: [127.0.0.0/8]
            actions:
              - authenticate: {on_unauthenticated: deny}
              - forward: mine
          - priority: 6
            conditions: [{path-pattern: /old/*}]
            actions: [{redirect: {path: /new, status_code: 301}}]
        faults:
          misroute_fraction: 0.05
          stall_ms: 500
        """
        let config = try YAMLDecoder().decode(EdgeConfig.self, from: yaml)
        try config.validate()
        #expect(config.listenerPort == 8443)
        #expect(config.sessionTimeout == 3600)
        #expect(config.targetGroups["analytics-ui"]?.targets.count == 2)
        #expect(config.rules.count == 2)
        #expect(config.rules[0].conditions.count == 6)
        #expect(config.rules[0].authenticate?.onUnauthenticated == .deny)
        #expect(config.rules[1].terminal == .redirect(.init(path: "/new", statusCode: 301)))
        #expect(config.defaultActions == EdgeConfig.defaultDefaultActions)
        #expect(config.faults.misrouteFraction == 0.05 && config.faults.stallEveryMs == 5000)
        let decision = config.ruleEngine.evaluate(
            RequestFacts(host: "API.example.test", path: "/v1/items", rawQuery: "mode=FAST&x", headers: [.init(name: "x-canary", value: "YES")], sourceIP: "127.0.0.9"),
            session: .authenticated(groups: []))
        #expect(decision.outcome == .forward(targetGroup: "mine"))

        let empty = try YAMLDecoder().decode(EdgeConfig.self, from: "{}")
        #expect(empty == EdgeConfig())
        #expect(EdgeConfig() == EdgeConfig(listenerPort: 0))
    }

    @Test(arguments: [
        ("rules: [{priority: 1, conditions: [{path-pattern: /a}], actions: [{forward: nowhere}]}]", "nowhere"),
        ("rules: [{priority: 1, conditions: [{path-pattern: /a}], actions: [{authenticate: {}}]}]", "exactly one"),
        ("rules: [{priority: 0, conditions: [{path-pattern: /a}], actions: [{fixed-response: {status_code: 200}}]}]", "1…50000"),
        ("rules: [{priority: 2, conditions: [], actions: [{fixed-response: {status_code: 200}}]}]", "at least one condition"),
        ("faults: {misroute_fraction: 2}", "fraction"),
        ("session_timeout: 0", "session_timeout"),
        ("target_groups: {manager-ui: [ftp://x]}", "http(s) URL"),
    ])
    func invalidConfigsSayWhatIsWrong(yaml: String, mentions: String) throws {
        let config = try YAMLDecoder().decode(EdgeConfig.self, from: yaml)
        do {
            try config.validate()
            Issue.record("expected \(yaml) to be rejected")
        } catch {
            #expect(error.description.contains(mentions), "\(error.description)")
        }
    }

    @Test(arguments: [
        "rules: [{priority: 1, conditions: [{path-pattern: /a, host-header: b}], actions: [{forward: manager-ui}]}]",
        "rules: [{priority: 1, conditions: [{colour: red}], actions: [{forward: manager-ui}]}]",
        "rules: [{priority: 1, conditions: [{source-ip: [banana]}], actions: [{forward: manager-ui}]}]",
        "rules: [{priority: 1, conditions: [{http-request-method: [get]}], actions: [{forward: manager-ui}]}]",
        "rules: [{priority: 1, conditions: [{path-pattern: /a}], actions: [{redirect: {status_code: 307}}]}]",
        "rules: [{priority: 1, conditions: [{path-pattern: /a}], actions: [{authenticate: {on_unauthenticated: maybe}}, {forward: manager-ui}]}]",
        "rules: [{priority: 1, conditions: [{path-pattern: /a}], actions: [{fixed-response: {status_code: 200, colour: red}}]}]",
        "rules: [{priority: 1, prio: 2, conditions: [{path-pattern: /a}], actions: [{forward: manager-ui}]}]",
        "listener_prot: 8443",
        "faults: {misroute: 0.1}",
    ])
    func malformedYAMLFailsToDecode(yaml: String) {
        #expect(throws: (any Error).self) { try YAMLDecoder().decode(EdgeConfig.self, from: yaml) }
    }

    @Test func stackLoaderReportsTheLineOfABadKey() throws {
        let yaml = "listener_port: 0\nrules:\n  - priority: 1\n    conditions: [{path-pattern: /a}]\n    actions: [{forwrd: manager-ui}]\n"
        do {
            _ = try StackConfigLoader.decode(EdgeConfig.self, yaml: yaml, file: "stack.yaml")
            Issue.record("a misspelt action was accepted")
        } catch let error as StackConfigError {
            #expect(error.line == 5, "\(error)")
            #expect(error.description.contains("forwrd"), "\(error)")
        }
    }

    @Test func faultInjectorIsDeterministicGivenRollAndTime() {
        let injector = FaultInjector(config: FaultConfig(misrouteFraction: 0.1, errorFraction: 0.05, errorStatus: 503, stallMs: 500, stallEveryMs: 5000))
        let groups = ["manager-ui", "analytics-ui"]
        #expect(injector.effect(chosenGroup: "manager-ui", allGroups: groups, roll: 0.01, elapsedMs: 9000) == .fail(status: 503))
        #expect(injector.effect(chosenGroup: "manager-ui", allGroups: groups, roll: 0.10, elapsedMs: 9000) == .misroute(to: "analytics-ui"))
        #expect(injector.effect(chosenGroup: "manager-ui", allGroups: groups, roll: 0.5, elapsedMs: 10_100) == .stall(milliseconds: 400))
        #expect(injector.effect(chosenGroup: "manager-ui", allGroups: groups, roll: 0.5, elapsedMs: 10_600) == .none)
        #expect(FaultInjector(config: FaultConfig()).effect(chosenGroup: "a", allGroups: groups, roll: 0, elapsedMs: 0) == .none)
    }
}
