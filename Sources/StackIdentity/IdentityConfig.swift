import StackSupport

/// The `identity:` section of the stack config: the user pool, its app clients and its limits.
/// Every key is optional; `IdentityConfig()` is what an absent section means. Its port is the stack
/// config's `ports.idp`.
///
/// ```yaml
/// identity:
///   pool_id: us-east-1_AbCdEf123 # default: derived from region and seed
///   issuer: null                 # default: https://cognito-idp.<region>.amazonaws.com/<pool_id>
///   demo_users: {managers: 20, analysts: 200}
///   users: [{username: alice, password: "Secret-123", groups: [managers]}]
///   groups: [managers, analysts]
///   clients: {web: {secret: true, ...}, api: {...}, uploader: {...}}
///   resource_server: {identifier: gauntlet-upload, scopes: [events.write]}
///   tokens: {access_seconds: 3600, id_seconds: 3600, refresh_seconds: 2592000, code_seconds: 300}
///   quota: {auth_rps: 120}
///   store: {max_refresh_tokens: 100000, max_refresh_tokens_per_user: 50, max_pending: 50000}
///   password_hash_rounds: 10000
///   prevent_user_existence_errors: true
/// ```
public struct IdentityConfig: StackConfigSection {
    public var poolId: String?
    public var issuer: String?
    public var demoUsers = DemoUsers()
    public var users: [UserConfig] = []
    public var groups = ["managers", "analysts"]
    public var clients: [String: ClientConfig] = ClientConfig.defaults
    public var resourceServer = ResourceServerConfig()
    public var tokens = TokenLifetimes()
    public var quota = Quota()
    /// Caps on what the provider holds in memory besides expiry (refresh tokens, codes, CSRF tokens, sessions).
    public var store = StoreLimits()
    /// PBKDF2-HMAC-SHA256 rounds for stored passwords. 10 000 keeps the store a real slow hash while a
    /// whole InitiateAuth (hash check plus two RS256 signatures) measured ~18 ms server-side in a debug build
    /// on a 2-core machine under load 19; a release build is several times faster, so Cognito's default
    /// 120 logins/s fits. Raise it to model a costlier hash, lower it (min 1000) for huge user counts.
    public var passwordHashRounds = 10_000
    /// Cognito's `PreventUserExistenceErrors` (on by default for new pools): an unknown user gets the same
    /// `NotAuthorizedException` as a wrong password. Off: `UserNotFoundException`.
    public var preventUserExistenceErrors = true
    /// The largest JSON or form body accepted.
    public var maxBodyBytes = 65_536

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case poolId = "pool_id", issuer, demoUsers = "demo_users", users, groups, clients
        case resourceServer = "resource_server", tokens, quota, store, passwordHashRounds = "password_hash_rounds"
        case preventUserExistenceErrors = "prevent_user_existence_errors", maxBodyBytes = "max_body_bytes"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self()
        poolId = try c.decodeIfPresent(String.self, forKey: .poolId)
        issuer = try c.decodeIfPresent(String.self, forKey: .issuer)
        demoUsers = try c.value(.demoUsers, default: d.demoUsers)
        users = try c.value(.users, default: d.users)
        groups = try c.value(.groups, default: d.groups)
        clients = try c.value(.clients, default: d.clients)
        resourceServer = try c.value(.resourceServer, default: d.resourceServer)
        tokens = try c.value(.tokens, default: d.tokens)
        quota = try c.value(.quota, default: d.quota)
        store = try c.value(.store, default: d.store)
        passwordHashRounds = try c.value(.passwordHashRounds, default: d.passwordHashRounds)
        preventUserExistenceErrors = try c.value(.preventUserExistenceErrors, default: d.preventUserExistenceErrors)
        maxBodyBytes = try c.value(.maxBodyBytes, default: d.maxBodyBytes)
        if let poolId, !UserPool.isValidPoolId(poolId) {
            throw DecodingError.dataCorruptedError(
                forKey: .poolId, in: c, debugDescription: "'\(poolId)' is not a pool id like us-east-1_AbCdEf123")
        }
        guard (1_000...10_000_000).contains(passwordHashRounds) else {
            throw DecodingError.dataCorruptedError(
                forKey: .passwordHashRounds, in: c, debugDescription: "must be between 1000 and 10000000")
        }
    }

    public struct DemoUsers: StackConfigSection {
        public var managers = 20
        public var analysts = 200
        public init() {}
        enum CodingKeys: String, CodingKey, CaseIterable { case managers, analysts }
        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            managers = try c.value(.managers, default: 20)
            analysts = try c.value(.analysts, default: 200)
            guard (0...100_000).contains(managers), (0...100_000).contains(analysts) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .managers, in: c, debugDescription: "user counts must be between 0 and 100000")
            }
        }
    }

    public struct UserConfig: StackConfigSection {
        public var username = ""
        public var password = ""
        public var groups: [String] = []
        public var email: String?
        public init() {}
        public init(username: String, password: String, groups: [String], email: String? = nil) {
            self.username = username
            self.password = password
            self.groups = groups
            self.email = email
        }
        enum CodingKeys: String, CodingKey, CaseIterable { case username, password, groups, email }
        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            username = try c.decode(String.self, forKey: .username)
            password = try c.decode(String.self, forKey: .password)
            groups = try c.value(.groups, default: [])
            email = try c.decodeIfPresent(String.self, forKey: .email)
        }
    }

    /// An app client. Flows are Cognito's names: `auth_flows` from `ALLOW_USER_PASSWORD_AUTH`,
    /// `ALLOW_REFRESH_TOKEN_AUTH`; `oauth_flows` from `code`, `client_credentials`.
    public struct ClientConfig: StackConfigSection {
        public var secret = false
        public var authFlows: [String] = []
        public var oauthFlows: [String] = []
        public var scopes: [String] = []
        public var callbackURLs: [String] = []
        public var logoutURLs: [String] = []
        public init() {}
        public init(secret: Bool, authFlows: [String], oauthFlows: [String], scopes: [String], callbackURLs: [String] = [], logoutURLs: [String] = []) {
            self.secret = secret
            self.authFlows = authFlows
            self.oauthFlows = oauthFlows
            self.scopes = scopes
            self.callbackURLs = callbackURLs
            self.logoutURLs = logoutURLs
        }
        enum CodingKeys: String, CodingKey, CaseIterable {
            case secret, authFlows = "auth_flows", oauthFlows = "oauth_flows", scopes
            case callbackURLs = "callback_urls", logoutURLs = "logout_urls"
        }
        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            secret = try c.value(.secret, default: false)
            authFlows = try c.value(.authFlows, default: [])
            oauthFlows = try c.value(.oauthFlows, default: [])
            scopes = try c.value(.scopes, default: [])
            callbackURLs = try c.value(.callbackURLs, default: [])
            logoutURLs = try c.value(.logoutURLs, default: [])
            let knownAuth: Set = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
            if let bad = authFlows.first(where: { !knownAuth.contains($0) }) {
                throw DecodingError.dataCorruptedError(
                    forKey: .authFlows, in: c, debugDescription: "unknown auth flow '\(bad)' (expected one of \(knownAuth.sorted()))")
            }
            if let bad = oauthFlows.first(where: { !["code", "client_credentials"].contains($0) }) {
                throw DecodingError.dataCorruptedError(
                    forKey: .oauthFlows, in: c, debugDescription: "unknown OAuth flow '\(bad)' (expected code or client_credentials)")
            }
        }

        /// `web` is the load balancer's confidential client (code flow, as ALB's authenticate action needs);
        /// `api` is a public client for scripts and the harness's `InitiateAuth` users; `uploader` is the
        /// machine client whose `client_credentials` token the upload gateway accepts.
        public static let defaults: [String: ClientConfig] = [
            "web": ClientConfig(
                secret: true, authFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], oauthFlows: ["code"],
                scopes: ["openid", "email", "profile"], callbackURLs: [], logoutURLs: []),
            "api": ClientConfig(
                secret: false, authFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], oauthFlows: ["code"],
                scopes: ["openid", "email", "profile"], callbackURLs: ["http://localhost/callback"],
                logoutURLs: ["http://localhost/signed-out"]),
            "uploader": ClientConfig(
                secret: true, authFlows: [], oauthFlows: ["client_credentials"], scopes: ["gauntlet-upload/events.write"]),
        ]
    }

    public struct ResourceServerConfig: StackConfigSection {
        public var identifier = "gauntlet-upload"
        public var scopes = ["events.write"]
        public init() {}
        enum CodingKeys: String, CodingKey, CaseIterable { case identifier, scopes }
        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            identifier = try c.value(.identifier, default: Self().identifier)
            scopes = try c.value(.scopes, default: Self().scopes)
        }
    }

    public struct TokenLifetimes: StackConfigSection {
        public var accessSeconds = 3600
        public var idSeconds = 3600
        public var refreshSeconds = 30 * 86_400
        public var codeSeconds = 300
        public init() {}
        enum CodingKeys: String, CodingKey, CaseIterable {
            case accessSeconds = "access_seconds", idSeconds = "id_seconds", refreshSeconds = "refresh_seconds"
            case codeSeconds = "code_seconds"
        }
        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Self()
            accessSeconds = try c.value(.accessSeconds, default: d.accessSeconds)
            idSeconds = try c.value(.idSeconds, default: d.idSeconds)
            refreshSeconds = try c.value(.refreshSeconds, default: d.refreshSeconds)
            codeSeconds = try c.value(.codeSeconds, default: d.codeSeconds)
            // Cognito's own bounds: access/ID 5 minutes to 1 day, refresh 1 hour to 10 years.
            guard (60...86_400).contains(accessSeconds), (60...86_400).contains(idSeconds) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .accessSeconds, in: c, debugDescription: "access/ID token lifetimes must be 60...86400 seconds")
            }
            guard (60...315_360_000).contains(refreshSeconds), (10...3600).contains(codeSeconds) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .refreshSeconds, in: c, debugDescription: "refresh must be 60...315360000 s, code 10...3600 s")
            }
        }
    }

    public struct Quota: StackConfigSection {
        /// Requests per second in Cognito's "user authentication" category, shared by InitiateAuth, the hosted
        /// UI's login POST and the token endpoint's refresh grant. AWS's default is 120.
        public var authRps = 120.0
        /// Bucket size; default one second's worth.
        public var burst: Double?
        public init() {}
        enum CodingKeys: String, CodingKey, CaseIterable { case authRps = "auth_rps", burst }
        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            authRps = try c.value(.authRps, default: 120)
            burst = try c.decodeIfPresent(Double.self, forKey: .burst)
            guard authRps > 0 else {
                throw DecodingError.dataCorruptedError(forKey: .authRps, in: c, debugDescription: "must be > 0")
            }
        }
    }

    /// Memory bounds for the provider's state. Entries also expire as Cognito's do (codes after
    /// `tokens.code_seconds`, hosted-UI sessions and CSRF tokens after an hour, refresh tokens after
    /// `tokens.refresh_seconds`); the caps hold when a long load test logs in faster than they expire.
    /// Past a cap the entries nearest their expiry go first.
    public struct StoreLimits: StackConfigSection, Equatable {
        /// Refresh tokens in all.
        public var maxRefreshTokens = 100_000
        /// Refresh tokens per user and app client: a new login past it revokes that user's oldest.
        public var maxRefreshTokensPerUser = 50
        /// Each of: unredeemed codes, CSRF tokens, hosted-UI sessions.
        public var maxPending = 50_000
        public init() {}
        enum CodingKeys: String, CodingKey, CaseIterable {
            case maxRefreshTokens = "max_refresh_tokens", maxRefreshTokensPerUser = "max_refresh_tokens_per_user", maxPending = "max_pending"
        }
        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Self()
            maxRefreshTokens = try c.value(.maxRefreshTokens, default: d.maxRefreshTokens)
            maxRefreshTokensPerUser = try c.value(.maxRefreshTokensPerUser, default: d.maxRefreshTokensPerUser)
            maxPending = try c.value(.maxPending, default: d.maxPending)
            for (key, value) in [(CodingKeys.maxRefreshTokens, maxRefreshTokens), (.maxRefreshTokensPerUser, maxRefreshTokensPerUser), (.maxPending, maxPending)]
            where !(1...10_000_000).contains(value) {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "must be 1...10000000; got \(value)")
            }
        }
    }
}
