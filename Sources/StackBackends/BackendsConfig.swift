import StackSupport

/// The `backends` section of the stack config. Every key is optional; unknown keys are errors.
///
/// ```yaml
/// backends:
///   manager_port: 0                       # 0 = ephemeral; the load balancer learns the bound port
///   analytics_port: 0
///   manager_groups: [managers]            # cognito:groups the Manager UI serves
///   analytics_groups: [analysts, managers]
///   leeway_seconds: 0                     # clock skew tolerated on exp
///   retention_days: 30                    # initial retention setting
///   max_search_limit: 1000                # upper bound of /analytics/api/search?limit=
///   max_concurrent_requests: 64           # per backend: requests served at once
///   max_queued_requests: 128              # per backend: requests waiting for a slot; more get 503 at once
///   queue_wait: 0.1                       # seconds a request may wait for a slot before a 503 (Retry-After)
/// ```
public struct BackendsConfig: StackConfigSection {
    public var managerPort: Int
    public var analyticsPort: Int
    public var managerGroups: [String]
    public var analyticsGroups: [String]
    public var leewaySeconds: Double
    public var retentionDays: Int
    public var maxSearchLimit: Int
    /// Per backend: requests served at once.
    public var maxConcurrentRequests: Int
    /// Per backend: requests waiting for a slot; beyond it, 503 with `Retry-After` at once.
    public var maxQueuedRequests: Int
    /// Seconds a request waits for a slot before its 503.
    public var queueWait: Double

    public init() {
        self.init(managerPort: 0)
    }

    public init(
        managerPort: Int = 0, analyticsPort: Int = 0, managerGroups: [String] = ["managers"],
        analyticsGroups: [String] = ["analysts", "managers"], leewaySeconds: Double = 0, retentionDays: Int = 30,
        maxSearchLimit: Int = 1000, maxConcurrentRequests: Int = 64, maxQueuedRequests: Int = 128, queueWait: Double = 0.1
    ) {
        self.managerPort = managerPort
        self.analyticsPort = analyticsPort
        self.managerGroups = managerGroups
        self.analyticsGroups = analyticsGroups
        self.leewaySeconds = leewaySeconds
        self.retentionDays = retentionDays
        self.maxSearchLimit = maxSearchLimit
        self.maxConcurrentRequests = maxConcurrentRequests
        self.maxQueuedRequests = maxQueuedRequests
        self.queueWait = queueWait
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case managerPort = "manager_port", analyticsPort = "analytics_port"
        case managerGroups = "manager_groups", analyticsGroups = "analytics_groups"
        case leewaySeconds = "leeway_seconds", retentionDays = "retention_days", maxSearchLimit = "max_search_limit"
        case maxConcurrentRequests = "max_concurrent_requests", maxQueuedRequests = "max_queued_requests", queueWait = "queue_wait"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self()
        managerPort = try c.value(.managerPort, default: d.managerPort)
        analyticsPort = try c.value(.analyticsPort, default: d.analyticsPort)
        managerGroups = try c.value(.managerGroups, default: d.managerGroups)
        analyticsGroups = try c.value(.analyticsGroups, default: d.analyticsGroups)
        leewaySeconds = try c.value(.leewaySeconds, default: d.leewaySeconds)
        retentionDays = try c.value(.retentionDays, default: d.retentionDays)
        maxSearchLimit = try c.value(.maxSearchLimit, default: d.maxSearchLimit)
        maxConcurrentRequests = try c.value(.maxConcurrentRequests, default: d.maxConcurrentRequests)
        maxQueuedRequests = try c.value(.maxQueuedRequests, default: d.maxQueuedRequests)
        queueWait = try c.value(.queueWait, default: d.queueWait)
        guard (1...100_000).contains(maxConcurrentRequests) else {
            throw DecodingError.dataCorruptedError(forKey: .maxConcurrentRequests, in: c, debugDescription: "must be 1...100000; got \(maxConcurrentRequests)")
        }
        guard (0...1_000_000).contains(maxQueuedRequests) else {
            throw DecodingError.dataCorruptedError(forKey: .maxQueuedRequests, in: c, debugDescription: "must be 0...1000000; got \(maxQueuedRequests)")
        }
        guard queueWait >= 0, queueWait <= 60 else {
            throw DecodingError.dataCorruptedError(forKey: .queueWait, in: c, debugDescription: "must be 0...60 seconds; got \(queueWait)")
        }
        for (key, port) in [(CodingKeys.managerPort, managerPort), (.analyticsPort, analyticsPort)] where !(0...65535).contains(port) {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "port \(port) is not in 0...65535")
        }
        for (key, groups) in [(CodingKeys.managerGroups, managerGroups), (.analyticsGroups, analyticsGroups)] where groups.isEmpty {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "at least one group is required")
        }
        guard RetentionSettings.allowedDays.contains(retentionDays) else {
            throw DecodingError.dataCorruptedError(
                forKey: .retentionDays, in: c, debugDescription: "retention_days must be 1...3650; got \(retentionDays)"
            )
        }
        guard maxSearchLimit >= 1 else {
            throw DecodingError.dataCorruptedError(forKey: .maxSearchLimit, in: c, debugDescription: "must be at least 1; got \(maxSearchLimit)")
        }
        guard leewaySeconds >= 0, leewaySeconds <= 300 else {
            throw DecodingError.dataCorruptedError(forKey: .leewaySeconds, in: c, debugDescription: "must be 0...300; got \(leewaySeconds)")
        }
    }
}
