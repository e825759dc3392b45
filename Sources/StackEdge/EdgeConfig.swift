import StackSupport

/// The load balancer's section of the stack config (a ``StackConfigSection``: unknown keys are errors).
///
/// ```yaml
/// lb:
///   listener_port: 0              # 0 = ephemeral
///   session_timeout: 604800       # seconds; ALB's maximum (7 days)
///   target_timeout: 30            # seconds before a target's silence is a 504
///   target_max_connections: 128   # per target group: requests in flight to its targets (one connection each)
///   target_max_queued: 256        # per target group: requests waiting for a connection; more are 503 at once
///   target_connection_wait: 0.05  # seconds a request waits for a connection before a 503
///   session_cache_size: 10000     # decrypted sessions (and their signed x-amzn-oidc-data) kept in memory
///   session_cache_ttl: 60         # seconds one is kept (never past its access token's expiry)
///   target_groups:                # merged over the defaults (manager-ui, analytics-ui: filled in by the runner)
///     mine: [https://127.0.0.1:9000]
///   rules:                        # replace the default matrix entirely when given
///     - priority: 5               # 1…50000, lowest first
///       conditions:               # all must hold; the values inside one are alternatives
///         - host-header: "*.example.test"
///         - path-pattern: ["/api/*"]
///         - http-header: {name: X-Canary, values: ["yes"]}
///         - http-request-method: [GET, HEAD]
///         - query-string: ["mode=fast", {value: "debug"}]
///         - source-ip: [127.0.0.0/8]
///         - group: [managers]     # extension: the user's cognito:groups (rules that authenticate)
///       actions:                  # optional authenticate, then one terminal action
///         - authenticate: {on_unauthenticated: deny}   # authenticate | deny (401) | allow
///         - forward: mine          # or redirect: {host, path, status_code: 301} / fixed-response: {status_code: 403, body: …}
///   default_actions: [{authenticate: {}}, {fixed-response: {status_code: 404}}]
///   faults: {misroute_fraction: 0.01, error_fraction: 0.01, error_status: 502, stall_ms: 500, stall_every_ms: 5000}
/// ``` Every field has a default, so an empty section gives issue 4's
/// routing matrix; the runner fills in the target groups' URLs.
public struct EdgeConfig: StackConfigSection, Hashable {
    public static let managerTargetGroup = "manager-ui"
    public static let analyticsTargetGroup = "analytics-ui"
    public static let managersGroup = "managers"
    public static let analystsGroup = "analysts"

    public struct TargetGroup: Sendable, Hashable, Codable {
        /// Target base URLs, e.g. `https://127.0.0.1:8443`. Requests keep their path and query.
        public var targets: [String]

        public init(targets: [String]) { self.targets = targets }

        /// Accepts `{targets: [...]}` or just the list.
        public init(from decoder: any Decoder) throws {
            if let list = try? decoder.singleValueContainer().decode([String].self) {
                self.targets = list
            } else {
                try decoder.rejectUnknownKeys(CodingKeys.self)
                let c = try decoder.container(keyedBy: CodingKeys.self)
                self.targets = try c.decode([String].self, forKey: .targets)
            }
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case targets }
    }

    /// 0 picks an ephemeral port (tests).
    public var listenerPort: Int
    /// The LB's DNS name; its certificate and the OIDC redirect URI use it.
    public var hostName: String
    /// Maximum session lifetime in seconds (ALB's default is 7 days).
    public var sessionTimeout: Int
    /// Seconds to wait for a target before answering 504.
    public var targetTimeout: Double
    /// Per target group: requests in flight to its targets at once (each holds one keep-alive connection).
    public var targetMaxConnections: Int
    /// Per target group: requests allowed to wait for a connection; beyond it the LB answers 503 at once.
    public var targetMaxQueued: Int
    /// Seconds a request waits for one of the group's connections before the LB answers 503.
    public var targetConnectionWait: Double
    /// Decrypted sessions kept by cookie digest; 0 turns the cache off.
    public var sessionCacheSize: Int
    /// Seconds a decrypted session is kept.
    public var sessionCacheTTL: Int
    public var targetGroups: [String: TargetGroup]
    public var rules: [ListenerRule]
    public var defaultActions: [RuleAction]
    public var faults: FaultConfig
    /// Used in the signer ARN, access-log `elb` field and target-group ARNs.
    public var name: String
    public var region: String
    public var accountID: String

    public init() {
        self.init(listenerPort: 0)
    }

    public init(
        listenerPort: Int = 0,
        hostName: String = "example.logs.gauntlet.test",
        sessionTimeout: Int = 604_800,
        targetTimeout: Double = 30,
        targetMaxConnections: Int = 128,
        targetMaxQueued: Int = 256,
        targetConnectionWait: Double = 0.05,
        sessionCacheSize: Int = 10_000,
        sessionCacheTTL: Int = 60,
        targetGroups: [String: TargetGroup] = EdgeConfig.defaultTargetGroups,
        rules: [ListenerRule] = EdgeConfig.defaultRules,
        defaultActions: [RuleAction] = EdgeConfig.defaultDefaultActions,
        faults: FaultConfig = FaultConfig(),
        name: String = "gauntlet-lb",
        region: String = "us-east-1",
        accountID: String = "000000000000"
    ) {
        self.listenerPort = listenerPort
        self.hostName = hostName
        self.sessionTimeout = sessionTimeout
        self.targetTimeout = targetTimeout
        self.targetMaxConnections = targetMaxConnections
        self.targetMaxQueued = targetMaxQueued
        self.targetConnectionWait = targetConnectionWait
        self.sessionCacheSize = sessionCacheSize
        self.sessionCacheTTL = sessionCacheTTL
        self.targetGroups = targetGroups
        self.rules = rules
        self.defaultActions = defaultActions
        self.faults = faults
        self.name = name
        self.region = region
        self.accountID = accountID
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case listenerPort = "listener_port", hostName = "host_name", sessionTimeout = "session_timeout"
        case targetTimeout = "target_timeout", targetGroups = "target_groups", rules, defaultActions = "default_actions"
        case faults, name, region, accountID = "account_id"
        case targetMaxConnections = "target_max_connections", targetMaxQueued = "target_max_queued"
        case targetConnectionWait = "target_connection_wait", sessionCacheSize = "session_cache_size", sessionCacheTTL = "session_cache_ttl"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = EdgeConfig()
        self.init(
            listenerPort: try c.decodeIfPresent(Int.self, forKey: .listenerPort) ?? d.listenerPort,
            hostName: try c.decodeIfPresent(String.self, forKey: .hostName) ?? d.hostName,
            sessionTimeout: try c.decodeIfPresent(Int.self, forKey: .sessionTimeout) ?? d.sessionTimeout,
            targetTimeout: try c.decodeIfPresent(Double.self, forKey: .targetTimeout) ?? d.targetTimeout,
            targetMaxConnections: try c.decodeIfPresent(Int.self, forKey: .targetMaxConnections) ?? d.targetMaxConnections,
            targetMaxQueued: try c.decodeIfPresent(Int.self, forKey: .targetMaxQueued) ?? d.targetMaxQueued,
            targetConnectionWait: try c.decodeIfPresent(Double.self, forKey: .targetConnectionWait) ?? d.targetConnectionWait,
            sessionCacheSize: try c.decodeIfPresent(Int.self, forKey: .sessionCacheSize) ?? d.sessionCacheSize,
            sessionCacheTTL: try c.decodeIfPresent(Int.self, forKey: .sessionCacheTTL) ?? d.sessionCacheTTL,
            // Named groups override the defaults; the default (empty) groups stay so the default rules still resolve.
            targetGroups: d.targetGroups.merging(try c.decodeIfPresent([String: TargetGroup].self, forKey: .targetGroups) ?? [:]) { $1 },
            rules: try c.decodeIfPresent([ListenerRule].self, forKey: .rules) ?? d.rules,
            defaultActions: try c.decodeIfPresent([RuleAction].self, forKey: .defaultActions) ?? d.defaultActions,
            faults: try c.decodeIfPresent(FaultConfig.self, forKey: .faults) ?? d.faults,
            name: try c.decodeIfPresent(String.self, forKey: .name) ?? d.name,
            region: try c.decodeIfPresent(String.self, forKey: .region) ?? d.region,
            accountID: try c.decodeIfPresent(String.self, forKey: .accountID) ?? d.accountID)
    }

    /// Cross-field checks decoding cannot make: priorities, action shapes, target-group references, ranges.
    public func validate() throws(EdgeConfigError) {
        guard (0...65535).contains(listenerPort) else {
            throw .invalidValue(field: "listener_port", value: "\(listenerPort)", expected: "0…65535")
        }
        guard (1...604_800).contains(sessionTimeout) else {
            throw .invalidValue(field: "session_timeout", value: "\(sessionTimeout)", expected: "1…604800 seconds (ALB's limit is 7 days)")
        }
        guard targetTimeout > 0 else {
            throw .invalidValue(field: "target_timeout", value: "\(targetTimeout)", expected: "a positive number of seconds")
        }
        guard (1...100_000).contains(targetMaxConnections) else {
            throw .invalidValue(field: "target_max_connections", value: "\(targetMaxConnections)", expected: "1…100000 connections per target group")
        }
        guard (0...1_000_000).contains(targetMaxQueued) else {
            throw .invalidValue(field: "target_max_queued", value: "\(targetMaxQueued)", expected: "0…1000000 waiting requests per target group")
        }
        guard targetConnectionWait >= 0, targetConnectionWait <= targetTimeout else {
            throw .invalidValue(field: "target_connection_wait", value: "\(targetConnectionWait)", expected: "0…target_timeout seconds")
        }
        guard (0...10_000_000).contains(sessionCacheSize) else {
            throw .invalidValue(field: "session_cache_size", value: "\(sessionCacheSize)", expected: "0…10000000 sessions (0 turns the cache off)")
        }
        guard (0...3600).contains(sessionCacheTTL) else {
            throw .invalidValue(field: "session_cache_ttl", value: "\(sessionCacheTTL)", expected: "0…3600 seconds")
        }
        var seen = Set<Int>()
        for rule in rules {
            guard (1...50_000).contains(rule.priority) else {
                throw .invalidRule(priority: rule.priority, problem: "priority must be 1…50000")
            }
            guard seen.insert(rule.priority).inserted else {
                throw .invalidRule(priority: rule.priority, problem: "another rule has the same priority")
            }
            guard !rule.conditions.isEmpty else {
                throw .invalidRule(priority: rule.priority, problem: "needs at least one condition (use default_actions for a catch-all)")
            }
            try ListenerRule.validateActions(rule.actions, priority: rule.priority)
            try checkForward(rule.actions, priority: rule.priority)
        }
        try ListenerRule.validateActions(defaultActions, priority: 0)
        try checkForward(defaultActions, priority: nil)
        for (name, group) in targetGroups {
            for target in group.targets {
                guard let url = URLParts(target), url.scheme == "https" || url.scheme == "http" else {
                    throw .invalidValue(field: "target_groups.\(name)", value: target, expected: "an http(s) URL such as https://127.0.0.1:8443")
                }
            }
        }
        try faults.validate()
    }

    private func checkForward(_ actions: [RuleAction], priority: Int?) throws(EdgeConfigError) {
        for case let .forward(group) in actions where targetGroups[group] == nil {
            throw .unknownTargetGroup(name: group, rulePriority: priority)
        }
    }

    public var ruleEngine: RuleEngine { RuleEngine(rules: rules, defaultActions: defaultActions) }

    /// The same config with one target group's URLs replaced (how the runner plugs in the backends it started).
    public func withTargets(_ group: String, _ targets: [String]) -> EdgeConfig {
        var copy = self
        copy.targetGroups[group] = TargetGroup(targets: targets)
        return copy
    }
}

/// Minimal URL split without Foundation's lenient parser: scheme, host, port.
struct URLParts: Hashable {
    var scheme: String
    var host: String
    var port: Int

    init?(_ text: String) {
        guard let sep = text.range(of: "://") else { return nil }
        scheme = text[..<sep.lowerBound].lowercased()
        var rest = text[sep.upperBound...]
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        guard !rest.isEmpty else { return nil }
        let defaultPort = scheme == "https" ? 443 : 80
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.isEmpty { port = defaultPort } else if after.hasPrefix(":"), let p = Int(after.dropFirst()) { port = p } else { return nil }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else { return nil }
            port = p
        } else {
            host = String(rest)
            port = defaultPort
        }
        guard !host.isEmpty else { return nil }
    }
}
