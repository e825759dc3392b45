import GauntletCore

/// Everything the workers need to know about the run, resolved once before it starts; read-only.
public struct RunPlan: Sendable {
    public var scenario: Scenario
    public var target: ResolvedTarget
    /// Load-generator threads.
    public var workers: Int
    /// A replay: the time-ordered requests to send instead of the scenario's arrival schedules (whose
    /// request types then only name the lanes, their connections and the progress line's rates).
    public var replay: [ReplayItem]?
    /// This machine's part of a sharded run (arrivals, users, closed-loop connections); `.whole` alone.
    public var shard: Shard

    public init(scenario: Scenario, target: ResolvedTarget, workers: Int, replay: [ReplayItem]? = nil, shard: Shard = .whole) {
        self.scenario = scenario
        self.target = target
        self.workers = max(1, workers)
        self.replay = replay
        self.shard = shard
    }

    /// The credential (index into `target.users`) a replay user logs in with: recorded client `id`
    /// takes the `id % n`-th of the n users of its role, so a recorded client stays one session.
    func credential(for user: ReplayItem.User) -> Int? {
        let ofRole = target.users.indices.filter { target.users[$0].role == user.role }
        return ofRole.isEmpty ? nil : ofRole[user.id % ofRole.count]
    }

    /// Phase start times, for mapping an intended time to its phase.
    var phaseEnds: [Double] {
        var ends: [Double] = []
        var t = 0.0
        for phase in scenario.phases {
            t += phase.duration
            ends.append(t)
        }
        return ends
    }
}

/// A virtual user's credentials and role.
public struct UserCredential: Sendable, Equatable {
    public var username: String
    public var password: String
    public var role: Role

    public init(username: String, password: String, role: Role) {
        self.username = username
        self.password = password
        self.role = role
    }
}

/// Where the load goes, with everything looked up: URLs, trust, name pinning, users and keys.
public struct ResolvedTarget: Sendable, Equatable {
    /// Base URLs (scheme://host:port), nil when the target has no such component.
    public var lb: String?
    public var idp: String?
    public var upload: String?
    public var caFile: String?
    public var insecure: Bool
    public var http2: Bool
    public var timeout: Double
    /// Resolve names through this DNS server (and pin the answers); nil: use `pins` or the system resolver.
    public var dnsServer: String?
    public var dnsPort: UInt16
    /// Static `host:port:address` pins (an endpoints file's `resolve`), used when no DNS server is given.
    public var pins: [String]
    public var users: [UserCredential]
    public var apiKeys: [String]
    /// The app client uploads get a `client_credentials` token with (upload auth `bearer`).
    public var uploader: ClientCredentials?
    /// How virtual users log in, and the app client `InitiateAuth` uses (its secret, when it has one,
    /// makes the driver send SECRET_HASH).
    public var login: LoginMethod = .browser
    public var apiClient: ClientCredentials?

    public init(
        lb: String? = nil, idp: String? = nil, upload: String? = nil, caFile: String? = nil, insecure: Bool = false,
        http2: Bool = false, timeout: Double = 10, dnsServer: String? = nil, dnsPort: UInt16 = 53, pins: [String] = [],
        users: [UserCredential] = [], apiKeys: [String] = [], uploader: ClientCredentials? = nil
    ) {
        self.uploader = uploader
        self.lb = lb
        self.idp = idp
        self.upload = upload
        self.caFile = caFile
        self.insecure = insecure
        self.http2 = http2
        self.timeout = timeout
        self.dnsServer = dnsServer
        self.dnsPort = dnsPort
        self.pins = pins
        self.users = users
        self.apiKeys = apiKeys
    }

    /// A key the gateway cannot know, for `bad_key_fraction` uploads.
    public static let invalidAPIKey = "gauntlet-invalid-key-0000000000"
}

/// An OAuth client's id, secret and scope, for the `client_credentials` grant.
public struct ClientCredentials: Sendable, Equatable {
    public var clientId: String
    /// Empty for a public client (no secret).
    public var clientSecret: String
    public var scope: String?

    public init(clientId: String, clientSecret: String, scope: String?) {
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.scope = scope
    }
}
