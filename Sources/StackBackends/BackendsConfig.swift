/// The `backends` section of the stack config.
public struct BackendsConfig: Codable, Sendable, Equatable {
    public struct Listener: Codable, Sendable, Equatable {
        public var host: String
        /// 0 picks a free port; the load balancer learns the bound one from the runner.
        public var port: Int

        public init(host: String = "127.0.0.1", port: Int = 0) {
            self.host = host
            self.port = port
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            host = try container.decodeIfPresent(String.self, forKey: .host) ?? "127.0.0.1"
            port = try container.decodeIfPresent(Int.self, forKey: .port) ?? 0
            guard (0...65535).contains(port) else {
                throw DecodingError.dataCorruptedError(forKey: .port, in: container, debugDescription: "port \(port) is outside 0...65535")
            }
        }
    }

    public var manager: Listener
    public var analytics: Listener
    /// Groups (from the access token's `cognito:groups`) the Manager UI serves.
    public var managerGroups: [String]
    /// Groups the Analytics UI serves.
    public var analyticsGroups: [String]
    /// Clock skew tolerated on `exp`, in seconds.
    public var leewaySeconds: Double
    /// Initial retention, in days.
    public var retentionDays: Int
    /// Upper bound of `limit` on `/analytics/api/search`.
    public var maxSearchLimit: Int

    public init(
        manager: Listener = Listener(), analytics: Listener = Listener(), managerGroups: [String] = ["managers"],
        analyticsGroups: [String] = ["analysts", "managers"], leewaySeconds: Double = 0, retentionDays: Int = 30,
        maxSearchLimit: Int = 1000
    ) {
        self.manager = manager
        self.analytics = analytics
        self.managerGroups = managerGroups
        self.analyticsGroups = analyticsGroups
        self.leewaySeconds = leewaySeconds
        self.retentionDays = retentionDays
        self.maxSearchLimit = maxSearchLimit
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = BackendsConfig()
        manager = try container.decodeIfPresent(Listener.self, forKey: .manager) ?? defaults.manager
        analytics = try container.decodeIfPresent(Listener.self, forKey: .analytics) ?? defaults.analytics
        managerGroups = try container.decodeIfPresent([String].self, forKey: .managerGroups) ?? defaults.managerGroups
        analyticsGroups = try container.decodeIfPresent([String].self, forKey: .analyticsGroups) ?? defaults.analyticsGroups
        leewaySeconds = try container.decodeIfPresent(Double.self, forKey: .leewaySeconds) ?? defaults.leewaySeconds
        retentionDays = try container.decodeIfPresent(Int.self, forKey: .retentionDays) ?? defaults.retentionDays
        maxSearchLimit = try container.decodeIfPresent(Int.self, forKey: .maxSearchLimit) ?? defaults.maxSearchLimit
        for (key, groups) in [(CodingKeys.managerGroups, managerGroups), (.analyticsGroups, analyticsGroups)] where groups.isEmpty {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "at least one group is required")
        }
        guard RetentionSettings.allowedDays.contains(retentionDays) else {
            throw DecodingError.dataCorruptedError(
                forKey: .retentionDays, in: container, debugDescription: "retentionDays must be 1...3650; got \(retentionDays)"
            )
        }
        guard maxSearchLimit >= 1 else {
            throw DecodingError.dataCorruptedError(forKey: .maxSearchLimit, in: container, debugDescription: "must be at least 1")
        }
        guard leewaySeconds >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .leewaySeconds, in: container, debugDescription: "must not be negative")
        }
    }
}
