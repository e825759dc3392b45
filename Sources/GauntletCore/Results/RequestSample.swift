/// One finished request, as the driver reports it to its worker's recorder. Plain values, no allocation.
public struct RequestSample: Sendable {
    public enum Outcome: Sendable, Equatable {
        case ok
        case rejected(UploadRejection)
        case error(ErrorCategory)
        case misroute(MisrouteKind)
    }

    public var type: RequestType
    /// Index into the scenario's phases (by intended send time).
    public var phase: Int
    /// Seconds since the start of the run: when the schedule meant it to be sent, when it was sent, when it ended.
    /// For closed-loop requests `intended == sent`.
    public var intended: Double
    public var sent: Double
    public var finished: Double
    public var outcome: Outcome
    /// HTTP status, 0 when no response arrived.
    public var status: Int
    /// Per-hop times in seconds, negative when not applicable (a reused connection has no connect or TLS).
    public var connect: Double
    public var tls: Double
    public var ttfb: Double
    /// From the load balancer's `Server-Timing`: its authentication time and the time in the target.
    public var lbAuth: Double
    public var target: Double
    /// Which UI backend the target time was spent in (`targetManagerUI`/`targetAnalyticsUI`, from the
    /// answer's `X-Served-By`), so that a capacity search names the backend that gave out; nil when unknown.
    public var targetBackend: AuthStep?
    /// Uploads: events and body bytes in the batch.
    public var uploadEvents: Int
    public var uploadBytes: Int
    /// When a connection of the request's lane was first free at or after `intended` (seconds since the
    /// start). Splits the schedule lag `sent - intended` into the wait for a connection the target held
    /// (`intended` → `connectionFree`, the target's backpressure) and the generator's own lateness
    /// (`connectionFree` → `sent`). Defaults to `intended`: no wait.
    public var connectionFree: Double

    public init(
        type: RequestType, phase: Int, intended: Double, sent: Double, finished: Double, outcome: Outcome, status: Int,
        connect: Double = -1, tls: Double = -1, ttfb: Double = -1, lbAuth: Double = -1, target: Double = -1,
        uploadEvents: Int = 0, uploadBytes: Int = 0, connectionFree: Double? = nil
    ) {
        self.type = type
        self.phase = phase
        self.intended = intended
        self.sent = sent
        self.finished = finished
        self.outcome = outcome
        self.status = status
        self.connect = connect
        self.tls = tls
        self.ttfb = ttfb
        self.lbAuth = lbAuth
        self.target = target
        self.uploadEvents = uploadEvents
        self.uploadBytes = uploadBytes
        self.connectionFree = connectionFree ?? intended
    }

    /// Seconds the request waited, after it was due, for a connection the target still held.
    public var connectionWait: Double { Swift.min(Swift.max(0, connectionFree - intended), Swift.max(0, sent - intended)) }

    /// Seconds the generator took, with a connection free, to send the request (the lag that is its own).
    public var generatorLag: Double { Swift.max(0, sent - intended) - connectionWait }
}

/// The steps and hops of authentication timed separately; raw values are `MetricCatalog.authSteps` names
/// (plus `target`, the time spent in the backend, which completes the per-hop split).
public enum AuthStep: String, Sendable, Codable, CaseIterable {
    case login
    case initiateAuth = "initiate_auth"
    case token
    case refresh
    case lb
    case dns
    case connect
    case tls
    case ttfb
    case target
    /// The target time of answers the Manager UI and the Analytics UI backends served (the `target` hop, split).
    case targetManagerUI = "target_manager_ui"
    case targetAnalyticsUI = "target_analytics_ui"
    /// The browser flow's steps: the first request that is redirected to login, the IdP's authorize
    /// endpoint, the login form, the credentials POST, and the LB's `/oauth2/idpresponse` callback.
    case loginRedirect = "login_redirect"
    case authorize
    case loginForm = "login_form"
    case loginSubmit = "login_submit"
    case idpResponse = "idpresponse"

    /// Steps of the login itself, as opposed to the hops every request crosses.
    public static let steps: [AuthStep] = [.login, .initiateAuth, .token, .refresh, .loginRedirect, .authorize, .loginForm, .loginSubmit, .idpResponse]
    public static let hops: [AuthStep] = [.dns, .connect, .tls, .ttfb, .lb, .target, .targetManagerUI, .targetAnalyticsUI]

    public var index: Int {
        switch self {
        case .login: 0
        case .initiateAuth: 1
        case .token: 2
        case .refresh: 3
        case .lb: 4
        case .dns: 5
        case .connect: 6
        case .tls: 7
        case .ttfb: 8
        case .target: 9
        case .loginRedirect: 10
        case .authorize: 11
        case .loginForm: 12
        case .loginSubmit: 13
        case .idpResponse: 14
        case .targetManagerUI: 15
        case .targetAnalyticsUI: 16
        }
    }
}

extension RequestType {
    /// Dense index for per-worker arrays.
    public var index: Int {
        switch self {
        case .upload: 0
        case .ui: 1
        case .api: 2
        case .http: 3
        }
    }
}
