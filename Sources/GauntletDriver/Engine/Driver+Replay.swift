import GauntletCore

/// How a replay is run, besides its requests.
public struct ReplaySettings: Sendable {
    /// The results' name (summary.json's scenario).
    public var name: String
    public var thresholds: [Threshold]
    /// Keep-alive connections per request type, across workers.
    public var connections: Int
    public var timeout: Double
    public var workers: Int
    public var http2: Bool
    public var insecure: Bool

    public init(name: String = "replay", thresholds: [Threshold] = [], connections: Int = 16, timeout: Double = 10, workers: Int = 1, http2: Bool = false, insecure: Bool = false) {
        self.name = name
        self.thresholds = thresholds
        self.connections = connections
        self.timeout = timeout
        self.workers = workers
        self.http2 = http2
        self.insecure = insecure
    }
}

extension Driver {
    /// Sends an externally supplied, time-ordered request stream (a replay) through the same workers,
    /// open-loop timing, logins, oracle and recorders as a scenario run, against the stack `endpoints`
    /// describes. The request log is always kept (`options.requestLogPath`): it is what the replay's
    /// "what changed" report is made from.
    public static func replay(_ items: [ReplayItem], endpoints: Endpoints, settings: ReplaySettings, options: DriverOptions) async throws(DriverError) -> RunResult {
        let scenario = replayScenario(items, settings: settings)
        let target = try resolveTarget(scenario: scenario, endpoints: endpoints, options: options)
        let plan = RunPlan(scenario: scenario, target: target, workers: options.workers ?? settings.workers, replay: items)
        if target.lb == nil, items.contains(where: { $0.type != .upload }) {
            throw .invalidTarget("the replay has UI/API requests but the endpoints name no load balancer")
        }
        if target.upload == nil, items.contains(where: { $0.type == .upload }) {
            throw .invalidTarget("the replay has uploads but the endpoints name no upload gateway")
        }
        for role in Role.allCases where items.contains(where: { $0.user?.role == role }) {
            if !target.users.contains(where: { $0.role == role }) {
                throw .invalidTarget("the replay has requests of \(role.rawValue) but the endpoints list no user in that group")
            }
        }
        return try await run(plan: plan, options: options)
    }

    /// The scenario a replay runs under: one phase as long as the stream (plus a second), the stream's
    /// request types, and as many users per role as the stream has distinct users of that role (the
    /// target may have fewer; they are then shared).
    static func replayScenario(_ items: [ReplayItem], settings: ReplaySettings) -> Scenario {
        let duration = (items.map(\.intended).max() ?? 0) + 1
        var counts: [RequestType: Int] = [:]
        var users: [Role: Set<Int>] = [:]
        for item in items {
            counts[item.type, default: 0] += 1
            if let user = item.user { users[user.role, default: []].insert(user.id) }
        }
        func schedule(_ type: RequestType) -> ArrivalSchedule { .constant(rate: Double(counts[type] ?? 0) / duration) }
        return Scenario(
            name: settings.name, seed: 1, target: .embedded(EmbeddedTarget()),
            users: Users(managers: users[.managers]?.count ?? 0, analysts: users[.analysts]?.count ?? 0),
            phases: [Phase(name: "replay", duration: duration)],
            http: HTTPSettings(version: settings.http2 ? .http2 : .http1, timeout: settings.timeout, connections: settings.connections, workers: settings.workers, insecure: settings.insecure, requestLog: true),
            upload: counts[.upload] == nil ? nil : UploadRequests(schedule: schedule(.upload), batches: [.init(events: ReplayItem.defaultUploadEvents)], freshnessSample: 0),
            ui: counts[.ui] == nil ? nil : UIRequests(schedule: schedule(.ui), pages: []),
            api: counts[.api] == nil ? nil : APIRequests(schedule: schedule(.api), calls: []),
            httpRequests: counts[.http] == nil ? nil : GenericRequests(schedule: schedule(.http), requests: []),
            thresholds: settings.thresholds)
    }
}
