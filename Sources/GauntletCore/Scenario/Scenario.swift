/// A load test, as a person writes it in `scenarios/*.yaml` (format v1, see `scenarios/README.md`).
///
/// The model is plain data: decoding and validation live in `ScenarioDecoder`, the request sequence a
/// scenario implies comes from `ArrivalSchedule` and the scenario's seed.
public struct Scenario: Sendable, Equatable {
    public static let formatVersion = 1

    public var name: String
    public var description: String?
    /// Same scenario + same seed → the same request sequence.
    public var seed: UInt64
    public var target: Target
    public var users: Users
    /// The run's phases in order; their durations add up to the run's duration.
    public var phases: [Phase]
    public var http: HTTPSettings
    public var upload: UploadRequests?
    public var ui: UIRequests?
    public var api: APIRequests?
    public var httpRequests: GenericRequests?
    public var thresholds: [Threshold]
    /// How `gauntlet capacity` searches (nil: its defaults); `run` ignores it.
    public var capacity: CapacitySettings?

    public init(
        name: String, description: String? = nil, seed: UInt64, target: Target, users: Users,
        phases: [Phase], http: HTTPSettings = HTTPSettings(), upload: UploadRequests? = nil,
        ui: UIRequests? = nil, api: APIRequests? = nil, httpRequests: GenericRequests? = nil,
        thresholds: [Threshold] = []
    ) {
        self.name = name
        self.description = description
        self.seed = seed
        self.target = target
        self.users = users
        self.phases = phases
        self.http = http
        self.upload = upload
        self.ui = ui
        self.api = api
        self.httpRequests = httpRequests
        self.thresholds = thresholds
    }

    /// Total length of the run in seconds, warm-up included.
    public var duration: Double { phases.reduce(0) { $0 + $1.duration } }

    /// The request types this scenario drives, in a fixed order.
    public var requestTypes: [RequestType] {
        var types: [RequestType] = []
        if upload != nil { types.append(.upload) }
        if ui != nil { types.append(.ui) }
        if api != nil { types.append(.api) }
        if httpRequests != nil { types.append(.http) }
        return types
    }

    public func schedule(for type: RequestType) -> ArrivalSchedule? {
        switch type {
        case .upload: upload?.schedule
        case .ui: ui?.schedule
        case .api: api?.schedule
        case .http: httpRequests?.schedule
        }
    }

    /// The phase that time `t` (seconds since the start of the run) falls in.
    public func phase(at t: Double) -> Phase? {
        var start = 0.0
        for phase in phases {
            if t < start + phase.duration { return phase }
            start += phase.duration
        }
        return nil
    }
}

/// The three request types of the architecture, plus `http` for arbitrary URLs.
public enum RequestType: String, Sendable, CaseIterable, Codable, Comparable {
    case upload, ui, api, http

    public static func < (lhs: RequestType, rhs: RequestType) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The roles of the user pool; each maps to a Cognito group.
public enum Role: String, Sendable, CaseIterable, Codable {
    case managers, analysts
}

/// Where the load goes.
public enum Target: Sendable, Equatable {
    /// Gauntlet's reference stack, started in-process on ephemeral ports.
    case embedded(EmbeddedTarget)
    /// A real deployment (or a stack started with `gauntlet stack`), by its URLs.
    case remote(RemoteTarget)
}

public struct EmbeddedTarget: Sendable, Equatable {
    /// A stack config file (as `gauntlet stack --config`), relative to the scenario; nil for defaults.
    public var stackConfig: String?
    /// Faults the embedded stack injects, so a run can show that the oracle catches them.
    public var faults: Faults

    public init(stackConfig: String? = nil, faults: Faults = Faults()) {
        self.stackConfig = stackConfig
        self.faults = faults
    }
}

/// Fault injection in the embedded stack's load balancer.
public struct Faults: Sendable, Equatable {
    /// Fraction of requests the LB forwards to the wrong target group.
    public var misroute: Double = 0
    /// Fraction of requests the LB answers with a 5xx.
    public var fail: Double = 0
    /// Targets stall for `stallFor` seconds every `stallEvery` seconds (both 0: no stalls).
    public var stallEvery: Double = 0
    public var stallFor: Double = 0
    /// One component answers more slowly: `delay: {component: analytics-ui, add: 10%}` holds its
    /// answers back by 10% of the time it took (`delayFraction`), `add: 5ms` by a fixed time
    /// (`delaySeconds`). A known slowdown that `compare` must catch (its calibration injects it).
    public var delayComponent: String? = nil
    public var delayFraction: Double = 0
    public var delaySeconds: Double = 0

    /// The components a delay can slow: the load balancer's target groups, as they mark their answers.
    public static let delayComponents = ["analytics-ui", "manager-ui"]

    public init(
        misroute: Double = 0, fail: Double = 0, stallEvery: Double = 0, stallFor: Double = 0,
        delayComponent: String? = nil, delayFraction: Double = 0, delaySeconds: Double = 0
    ) {
        self.misroute = misroute
        self.fail = fail
        self.stallEvery = stallEvery
        self.stallFor = stallFor
        self.delayComponent = delayComponent
        self.delayFraction = delayFraction
        self.delaySeconds = delaySeconds
    }

    public var delays: Bool { delayComponent != nil && (delayFraction > 0 || delaySeconds > 0) }
    public var isEmpty: Bool { misroute == 0 && fail == 0 && stallFor == 0 && !delays }
}

public struct RemoteTarget: Sendable, Equatable {
    /// Either an endpoints file written by `gauntlet stack --endpoints`, which supplies everything below…
    public var endpointsFile: String?
    /// …or the URLs of a deployment: the load balancer, the identity provider, the upload gateway.
    public var lb: String?
    public var idp: String?
    public var upload: String?
    /// PEM file of the CA to trust; nil trusts the system's store.
    public var caFile: String?
    /// A DNS server (`host:port`) to resolve names through; nil uses the system resolver.
    public var dns: String?
    /// Cognito app client the harness logs in with (`InitiateAuth`, the hosted UI's client).
    public var clientId: String?
    /// Environment variable holding that client's secret (never the secret itself in a scenario).
    public var clientSecretEnv: String?
    /// Environment variable holding the upload API key.
    public var apiKeyEnv: String?

    public init(
        endpointsFile: String? = nil, lb: String? = nil, idp: String? = nil, upload: String? = nil,
        caFile: String? = nil, dns: String? = nil, clientId: String? = nil, clientSecretEnv: String? = nil,
        apiKeyEnv: String? = nil
    ) {
        self.endpointsFile = endpointsFile
        self.lb = lb
        self.idp = idp
        self.upload = upload
        self.caFile = caFile
        self.dns = dns
        self.clientId = clientId
        self.clientSecretEnv = clientSecretEnv
        self.apiKeyEnv = apiKeyEnv
    }
}

/// The virtual-user population.
public struct Users: Sendable, Equatable {
    /// How many users of each role take part; for `embedded`, taken from the stack's demo users.
    public var managers: Int
    public var analysts: Int
    /// A CSV of `username,password,role` for a real deployment; overrides the counts.
    public var csv: String?
    /// How a virtual user logs in.
    public var login: LoginMethod

    public init(managers: Int = 2, analysts: Int = 8, csv: String? = nil, login: LoginMethod = .browser) {
        self.managers = managers
        self.analysts = analysts
        self.csv = csv
        self.login = login
    }
}

public enum LoginMethod: String, Sendable, Equatable, CaseIterable {
    /// The hosted-UI flow through the load balancer: redirect, login form with CSRF, idpresponse, cookie.
    case browser
    /// Cognito's `InitiateAuth` with `USER_PASSWORD_AUTH`, as API clients do.
    case initiateAuth = "initiate_auth"
}

public struct Phase: Sendable, Equatable {
    public var name: String
    public var duration: Double
    /// Warm-up phases run the load but are excluded from the results.
    public var warmup: Bool

    public init(name: String, duration: Double, warmup: Bool = false) {
        self.name = name
        self.duration = duration
        self.warmup = warmup
    }
}

public struct HTTPSettings: Sendable, Equatable {
    public enum Version: String, Sendable, Equatable, CaseIterable {
        case http1 = "1.1"
        case http2 = "2"
    }

    public var version: Version = .http1
    /// Per-request timeout in seconds.
    public var timeout: Double = 10
    /// Keep-alive connections per request type (the pool open-loop requests are sent over). With
    /// `autoConnections`, the number opened at the start.
    public var connections: Int = 32
    /// `connections: auto`: open-loop lanes open another connection whenever a request is due and every
    /// connection is busy, up to `connectionCap`, so the connection count never shapes the offered load.
    public var autoConnections: Bool = false
    /// The most connections per request type `auto` opens (`max_connections`).
    public var connectionCap: Int = 1024
    /// Load-generator threads, each with its own libcurl event loop.
    public var workers: Int = 1
    /// Skip TLS verification (never the default; for a deployment whose CA you cannot get).
    public var insecure: Bool = false
    /// Keep a raw per-request log in the results directory.
    public var requestLog: Bool = false

    public init(
        version: Version = .http1, timeout: Double = 10, connections: Int = 32, workers: Int = 1,
        insecure: Bool = false, requestLog: Bool = false
    ) {
        self.version = version
        self.timeout = timeout
        self.connections = connections
        self.workers = workers
        self.insecure = insecure
        self.requestLog = requestLog
    }
}

/// Which users issue a request.
public enum Audience: String, Sendable, Equatable, CaseIterable {
    /// Any logged-in user, managers and analysts in proportion to their counts.
    case any
    case managers
    case analysts
    /// No session at all: checks that the edge turns the request away (302 to login, or 401).
    case anonymous
}

public struct UIRequests: Sendable, Equatable {
    public struct Page: Sendable, Equatable {
        public var path: String
        public var weight: Double
        public var audience: Audience

        public init(path: String, weight: Double = 1, audience: Audience = .any) {
            self.path = path
            self.weight = weight
            self.audience = audience
        }
    }

    public var schedule: ArrivalSchedule
    public var pages: [Page]

    public init(schedule: ArrivalSchedule, pages: [Page]) {
        self.schedule = schedule
        self.pages = pages
    }
}

public struct APIRequests: Sendable, Equatable {
    public struct Call: Sendable, Equatable {
        public var method: String
        public var path: String
        public var body: String?
        public var weight: Double
        public var audience: Audience

        public init(method: String = "GET", path: String, body: String? = nil, weight: Double = 1, audience: Audience = .any) {
            self.method = method
            self.path = path
            self.body = body
            self.weight = weight
            self.audience = audience
        }
    }

    public var schedule: ArrivalSchedule
    public var calls: [Call]

    public init(schedule: ArrivalSchedule, calls: [Call]) {
        self.schedule = schedule
        self.calls = calls
    }
}

public struct UploadRequests: Sendable, Equatable {
    public struct Batch: Sendable, Equatable {
        /// Events per batch.
        public var events: Int
        /// Approximate size of one serialized event, in bytes.
        public var eventBytes: Int
        public var weight: Double

        public init(events: Int, eventBytes: Int = 256, weight: Double = 1) {
            self.events = events
            self.eventBytes = eventBytes
            self.weight = weight
        }
    }

    public enum Format: String, Sendable, Equatable, CaseIterable {
        case ndjson
        case jsonArray = "json_array"
    }

    public enum Encoding: String, Sendable, Equatable, CaseIterable {
        case identity, gzip
    }

    public enum Auth: String, Sendable, Equatable, CaseIterable {
        /// `x-api-key` only.
        case apiKey = "api_key"
        /// `x-api-key` and a Bearer token from the `client_credentials` grant.
        case bearer
    }

    public var schedule: ArrivalSchedule
    public var batches: [Batch]
    public var format: Format
    public var encoding: Encoding
    public var auth: Auth
    /// Fraction of uploads sent with a wrong API key, to check they are refused (403).
    public var badKeyFraction: Double
    /// Fraction of acknowledged batches whose freshness (ack → visible in search) is sampled.
    public var freshnessSample: Double

    public init(
        schedule: ArrivalSchedule, batches: [Batch], format: Format = .ndjson, encoding: Encoding = .identity,
        auth: Auth = .apiKey, badKeyFraction: Double = 0, freshnessSample: Double = 0.01
    ) {
        self.schedule = schedule
        self.batches = batches
        self.format = format
        self.encoding = encoding
        self.auth = auth
        self.badKeyFraction = badKeyFraction
        self.freshnessSample = freshnessSample
    }
}

/// Arbitrary HTTP requests, checked against an expected status.
public struct GenericRequests: Sendable, Equatable {
    public struct Request: Sendable, Equatable {
        public var method: String
        public var url: String
        public var headers: [String: String]
        public var body: String?
        public var expectStatus: Int
        public var weight: Double

        public init(method: String = "GET", url: String, headers: [String: String] = [:], body: String? = nil, expectStatus: Int = 200, weight: Double = 1) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
            self.expectStatus = expectStatus
            self.weight = weight
        }
    }

    public var schedule: ArrivalSchedule
    public var requests: [Request]

    public init(schedule: ArrivalSchedule, requests: [Request]) {
        self.schedule = schedule
        self.requests = requests
    }
}
