import CCurl
import GauntletCore

/// One request the schedule asked for, with everything needed to send it and judge its response.
struct PlannedRequest {
    var type: RequestType
    var lane: Int
    /// Seconds since the start of the run.
    var intended: Double
    var phase: Int
    var method: String
    var url: String
    var path: String
    /// Index of the worker's virtual user, -1 for none (anonymous, uploads, plain http).
    var user: Int = -1
    var role: Role?
    var credentialValid = true
    var expectStatus: Int?
    var headers: UnsafeMutablePointer<curl_slist>?
    /// The URL pre-parsed, when the worker keeps one for it (else looked up by `url` when sent).
    var urlHandle: OpaquePointer?
    var body: [UInt8]?
    var uploadEvents = 0
    /// A reusable request shape for the transfer (-1: set every option).
    var kind = -1
    /// Set once the request was re-sent after its user's session ended.
    var retried = false
    /// Uploads sampled for freshness: the token a search finds the batch by.
    var freshnessToken: String?
}

/// What a transfer is doing.
enum Job {
    case idle
    case request(PlannedRequest, sent: Double)
    case login(user: Int, step: AuthStep, sent: Double)
    /// A `client_credentials` token for uploads (`refresh`: replacing one about to expire).
    case token(refresh: Bool, sent: Double)
    /// A search for a freshness probe's token.
    case probe(id: Int, sent: Double)
}

/// A virtual user on one worker: its credentials and its session.
struct VirtualUser {
    enum State {
        case loggedOut
        case loggingIn(BrowserLogin, started: Double)
        /// An `InitiateAuth` call (password or refresh token) in flight.
        case authenticating(started: Double)
        case active(cookie: String?, since: Double)
    }

    var credential: UserCredential
    var state: State = .loggedOut
    /// Requests waiting for the user's login.
    var pending: [PlannedRequest] = []
    /// Earliest time to retry after a failed login.
    var retryAt = 0.0
    var jar = CookieJar()
    var sessions = 0
    /// `InitiateAuth` users: tokens and when the access token runs out (seconds since the start).
    var accessToken: String?
    var refreshToken: String?
    var tokenExpiry = 0.0
}

/// An acknowledged upload whose visibility in Analytics search is being polled for.
struct FreshnessProbe {
    var token: String
    var acknowledged: Double
    var nextPoll: Double
    var inFlight = false
}
