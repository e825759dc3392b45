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
    /// The request's header set (a `HeaderSets` id).
    var headers: Int = HeaderSets.none
    var body: [UInt8]?
    var uploadEvents = 0
    /// A reusable request shape for the transfer (-1: set every option).
    var kind = -1
    /// Set once the request was re-sent after its user's session ended.
    var retried = false
    /// Uploads sampled for freshness: the token a search finds the batch by.
    var freshnessToken: String?
    /// When the request was ready to go but for a connection: its intended time, or later when it waited
    /// for its user's login or the upload token (the target's time too, so counted as connection wait).
    var readyAt: Double = -.infinity
}

/// What a transfer is doing.
enum Job {
    case idle
    /// `connectionFree`: when the request could first have gone, had the loop been on time.
    case request(PlannedRequest, sent: Double, connectionFree: Double)
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
    var jar = CookieJar()
    var sessions = 0
    /// `InitiateAuth` users: tokens and when the access token runs out (seconds since the start).
    var accessToken: String?
    var refreshToken: String?
    var tokenExpiry = 0.0
}
