import Foundation
import Hummingbird
import Logging
import Prometheus
import StackSupport
import Synchronization

/// The Cognito user pool stand-in: one HTTPS listener serving the JSON-1.1 API (`POST /`), the hosted UI
/// and OAuth 2.0 endpoints, the JWKS and OpenID configuration, and `/metrics`.
///
/// Build it with ``make(config:context:)``, get its `Service` from ``application(logger:)``, and after
/// `bound.value()` returns its URLs are known. Components started later (the load balancer) register their
/// callback URLs with ``registerCallback(client:url:)`` once their own ports are known.
public final class IdentityProvider: Sendable {
    public let config: IdentityConfig
    /// The configured port (0 = ephemeral); `bound` has the real one.
    public let port: Int
    public let pool: UserPool
    public let tokens: TokenIssuer
    public let names: StackNames
    public let bound: BoundPort
    public let stackMetrics: StackMetrics
    let metrics: IdentityMetrics
    let store: Mutex<SessionStore>
    let bucket: Mutex<TokenBucket>
    let clock: @Sendable () -> Double
    private let context: StackContext
    private let extraCallbacks = Mutex<[String: [String]]>([:])
    private let extraLogoutURLs = Mutex<[String: [String]]>([:])
    /// Compared against when the username is unknown, so an unknown user costs the same time as a wrong password.
    let decoyHash: PasswordHash

    /// - Parameter port: where to listen on 127.0.0.1; 0 (the default) picks an ephemeral port.
    public static func make(
        config: IdentityConfig, port: Int = 0, context: StackContext,
        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) async throws -> IdentityProvider {
        let pool = try UserPool(config: config, seed: context.seed, region: context.region)
        let issuer = config.issuer ?? "https://cognito-idp.\(context.region).amazonaws.com/\(pool.poolId)"
        let tokens = try await TokenIssuer(issuer: issuer, stateDirectory: context.stateDirectory)
        return IdentityProvider(
            config: config, port: port, pool: pool, tokens: tokens, context: context, clock: clock)
    }

    private init(config: IdentityConfig, port: Int, pool: UserPool, tokens: TokenIssuer, context: StackContext, clock: @escaping @Sendable () -> Double) {
        self.config = config
        self.port = port
        self.pool = pool
        self.tokens = tokens
        self.names = context.names
        self.bound = BoundPort(name: "identity provider")
        self.stackMetrics = StackMetrics()
        self.metrics = IdentityMetrics(metrics: stackMetrics)
        self.bucket = Mutex(TokenBucket(rate: config.quota.authRps, burst: config.quota.burst))
        self.store = Mutex(SessionStore(limits: config.store))
        self.clock = clock
        self.context = context
        self.decoyHash = PasswordHash(password: SessionStore.randomToken(), rounds: config.passwordHashRounds)
    }

    /// What the provider holds in memory now, by kind (each bounded by expiry and by `identity.store`).
    public var storeCounts: (refreshTokens: Int, codes: Int, csrf: Int, sessions: Int, revoked: Int) { store.withLock { $0.counts } }

    /// The HTTPS listener as a `Service` for the runner's `ServiceGroup`.
    public func application(logger: Logger) throws -> Application<RouterResponder<BasicRequestContext>> {
        try TLSListener.application(
            router: buildRouter(), name: "identity provider", port: port, tls: try context.serverTLS(), bound: bound, logger: logger)
    }

    public func buildRouter() -> Router<BasicRequestContext> {
        let router = Router()
        addCognitoAPI(to: router)
        addHostedUI(to: router)
        addOAuth(to: router)
        addDiscovery(to: router)
        router.get("/metrics") { _, _ in
            let counts = self.storeCounts
            for (kind, count) in [("refresh_tokens", counts.refreshTokens), ("codes", counts.codes), ("csrf_tokens", counts.csrf),
                                  ("sessions", counts.sessions), ("revoked_origins", counts.revoked)] {
                self.stackMetrics.registry.makeGauge(name: "idp_store_entries", labels: [("kind", kind)]).set(Double(count))
            }
            var headers = HTTPFields()
            headers[.contentType] = StackMetrics.contentType
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: self.stackMetrics.render())))
        }
        return router
    }

    // MARK: - public facts for the endpoints file and other components

    public var issuer: String { tokens.issuer }
    public var poolId: String { pool.poolId }
    public var jwksPath: String { "/\(pool.poolId)/.well-known/jwks.json" }

    /// `https://auth.<domain>:PORT` once bound (nil before).
    public var urlByName: String? { bound.current.map { "https://\(names.identityProvider):\($0)" } }
    /// `https://127.0.0.1:PORT` once bound.
    public var directURL: String? { bound.current.map { "https://127.0.0.1:\($0)" } }
    public var jwksURL: String? { urlByName.map { $0 + jwksPath } }

    /// Lets a component started later (the load balancer, once it knows its port) add a callback URL.
    public func registerCallback(client name: String, url: String) {
        guard let client = pool.clientsByName[name] else { return }
        extraCallbacks.withLock { $0[client.clientId, default: []].append(url) }
    }

    public func registerLogoutURL(client name: String, url: String) {
        guard let client = pool.clientsByName[name] else { return }
        extraLogoutURLs.withLock { $0[client.clientId, default: []].append(url) }
    }

    func callbacks(of client: UserPool.Client) -> [String] {
        client.callbackURLs + extraCallbacks.withLock { $0[client.clientId] ?? [] }
    }

    func logoutURLs(of client: UserPool.Client) -> [String] {
        client.logoutURLs + extraLogoutURLs.withLock { $0[client.clientId] ?? [] }
    }

    // MARK: - shared logic

    var nowSeconds: Int { Int(clock()) }

    /// One request in the authentication quota category; false means "answer TooManyRequests".
    func admitAuthRequest(endpoint: String) -> Bool {
        let now = clock()
        let ok = bucket.withLock { $0.take(now: now) } == .allowed
        if !ok { metrics.throttled(endpoint) }
        return ok
    }

    enum PasswordCheck { case ok(UserPool.User), unknownUser, wrongPassword }

    func checkPassword(username: String, password: String) -> PasswordCheck {
        guard let user = pool.users[username] else {
            _ = decoyHash.matches(password)
            return .unknownUser
        }
        return user.password.matches(password) ? .ok(user) : .wrongPassword
    }

    struct MintedTokens {
        var access: String
        var id: String?
        var refresh: String?
        var expiresIn: Int
    }

    /// Mints access + ID tokens for a user (and a refresh token when `refreshOrigin` is nil).
    func mintUserTokens(
        user: UserPool.User, client: UserPool.Client, scope: String, authTime: Int, refreshOrigin: String?, nonce: String? = nil
    ) async throws -> MintedTokens {
        let now = nowSeconds
        var refresh: String?
        let origin: String
        if let refreshOrigin {
            origin = refreshOrigin
        } else {
            let issued = store.withLock {
                $0.issueRefresh(
                    username: user.username, clientId: client.clientId, scope: scope, authTime: authTime, now: now,
                    lifetime: config.tokens.refreshSeconds)
            }
            refresh = issued.token
            origin = issued.originJti
        }
        let eventId = UUID().uuidString.lowercased()
        let groups = user.groups.isEmpty ? nil : user.groups
        let access = AccessTokenClaims(
            sub: user.sub, groups: groups, iss: issuer, version: 2, clientId: client.clientId, originJti: origin,
            eventId: eventId, tokenUse: "access", scope: scope, authTime: authTime,
            exp: now + config.tokens.accessSeconds, iat: now, jti: UUID().uuidString.lowercased(), username: user.username)
        let id = IDTokenClaims(
            sub: user.sub, groups: groups, emailVerified: true, iss: issuer, username: user.username, originJti: origin,
            aud: client.clientId, eventId: eventId, tokenUse: "id", authTime: authTime, exp: now + config.tokens.idSeconds,
            iat: now, jti: UUID().uuidString.lowercased(), email: user.email, nonce: nonce)
        return MintedTokens(
            access: try await tokens.sign(access), id: try await tokens.sign(id), refresh: refresh,
            expiresIn: config.tokens.accessSeconds)
    }

    /// A `client_credentials` access token: `sub` is the client, no user, no refresh token.
    func mintClientToken(client: UserPool.Client, scope: String) async throws -> MintedTokens {
        let now = nowSeconds
        let claims = AccessTokenClaims(
            sub: client.clientId, groups: nil, iss: issuer, version: 2, clientId: client.clientId, originJti: nil,
            eventId: nil, tokenUse: "access", scope: scope, authTime: now, exp: now + config.tokens.accessSeconds, iat: now,
            jti: UUID().uuidString.lowercased(), username: nil)
        return MintedTokens(access: try await tokens.sign(claims), id: nil, refresh: nil, expiresIn: config.tokens.accessSeconds)
    }

    enum AccessCheck { case ok(AccessTokenClaims, UserPool.User), invalid, expired, revoked }

    /// Checks a user access token: signature, issuer, use, expiry, revocation, and that the user exists.
    func checkAccessToken(_ token: String) async -> AccessCheck {
        let claims: AccessTokenClaims
        do {
            claims = try await tokens.verifyAccess(token, now: nowSeconds)
        } catch .expired {
            return .expired
        } catch {
            return .invalid
        }
        if store.withLock({ $0.isRevoked(originJti: claims.originJti) }) { return .revoked }
        guard let username = claims.username, let user = pool.users[username] else { return .invalid }
        return .ok(claims, user)
    }

    func timed<T>(_ operation: String, _ body: () async throws -> T) async rethrows -> T {
        let start = ContinuousClock.now
        defer {
            let elapsed = ContinuousClock.now - start
            metrics.latency(operation, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        return try await body()
    }
}
