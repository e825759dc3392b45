import Foundation
import StackSupport

/// The identity provider's mutable state: refresh tokens, authorization codes, CSRF tokens, hosted-UI
/// sessions and revocations. A plain value type with time passed in; `IdentityProvider` keeps it behind a
/// mutex, so every operation here is short and never suspends.
struct SessionStore: Sendable {
    struct RefreshRecord: Sendable {
        let username: String
        let clientId: String
        let scope: String
        let authTime: Int
        let originJti: String
        let expires: Int
    }

    struct CodeRecord: Sendable {
        let username: String
        let clientId: String
        let redirectURI: String
        let scope: String
        let codeChallenge: String?
        let nonce: String?
        let authTime: Int
        let expires: Int
    }

    struct HostedSession: Sendable {
        let username: String
        let authTime: Int
        let expires: Int
    }

    private(set) var refreshTokens: [String: RefreshRecord] = [:]
    private var codes: [String: CodeRecord] = [:]
    private var csrf: [String: Int] = [:]
    private var sessions: [String: HostedSession] = [:]
    /// `origin_jti`s whose tokens are revoked (RevokeToken, GlobalSignOut), with when they would have expired.
    private var revokedOrigins: [String: Int] = [:]
    private var lastSweep = 0
    /// Each (user, client)'s refresh tokens, oldest first, for the per-user cap.
    private var refreshByUser: [String: [String]] = [:]
    let limits: IdentityConfig.StoreLimits

    init(limits: IdentityConfig.StoreLimits = .init()) {
        self.limits = limits
    }

    /// Entries held, by kind (for the provider's metrics and the soak benchmark).
    var counts: (refreshTokens: Int, codes: Int, csrf: Int, sessions: Int, revoked: Int) {
        (refreshTokens.count, codes.count, csrf.count, sessions.count, revokedOrigins.count)
    }

    static func randomToken(bytes: Int = 32) -> String {
        var rng = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &rng) })
    }

    // MARK: refresh tokens

    mutating func issueRefresh(username: String, clientId: String, scope: String, authTime: Int, now: Int, lifetime: Int) -> (token: String, originJti: String) {
        sweep(now: now)
        let token = Self.randomToken(bytes: 48)
        let origin = UUID().uuidString.lowercased()
        refreshTokens[token] = RefreshRecord(
            username: username, clientId: clientId, scope: scope, authTime: authTime, originJti: origin, expires: now + lifetime)
        let owner = username + "\u{0}" + clientId
        refreshByUser[owner, default: []].append(token)
        if let tokens = refreshByUser[owner], tokens.count > limits.maxRefreshTokensPerUser {
            let excess = tokens.count - limits.maxRefreshTokensPerUser
            for old in tokens.prefix(excess) { refreshTokens[old] = nil }
            refreshByUser[owner] = Array(tokens.dropFirst(excess))
        }
        if refreshTokens.count > limits.maxRefreshTokens {
            Self.trim(&refreshTokens, to: limits.maxRefreshTokens, now: now) { $0.expires }
            rebuildRefreshIndex()
        }
        return (token, origin)
    }

    enum RefreshLookup: Equatable {
        case invalid, revoked, expired, wrongClient
    }

    func refresh(_ token: String, clientId: String, now: Int) -> Result<RefreshRecord, RefreshLookupError> {
        guard let record = refreshTokens[token] else {
            return .failure(RefreshLookupError(kind: .invalid))
        }
        if revokedOrigins[record.originJti] != nil { return .failure(RefreshLookupError(kind: .revoked)) }
        if record.expires <= now { return .failure(RefreshLookupError(kind: .expired)) }
        if record.clientId != clientId { return .failure(RefreshLookupError(kind: .wrongClient)) }
        return .success(record)
    }

    struct RefreshLookupError: Error { let kind: RefreshLookup }

    /// Revokes one refresh token and every access/ID token minted from it.
    mutating func revoke(refreshToken: String, clientId: String) -> Bool {
        guard let record = refreshTokens[refreshToken], record.clientId == clientId else { return false }
        revokedOrigins[record.originJti] = record.expires
        return true
    }

    /// GlobalSignOut: every refresh token of the user, and the tokens minted from them.
    mutating func signOut(username: String) {
        for (_, record) in refreshTokens where record.username == username {
            revokedOrigins[record.originJti] = record.expires
        }
        for (id, session) in sessions where session.username == username {
            sessions[id] = nil
        }
    }

    func isRevoked(originJti: String?) -> Bool {
        guard let originJti else { return false }
        return revokedOrigins[originJti] != nil
    }

    // MARK: codes

    mutating func issueCode(_ record: CodeRecord, now: Int) -> String {
        sweep(now: now)
        let code = UUID().uuidString.lowercased()
        codes[code] = record
        if codes.count > limits.maxPending { Self.trim(&codes, to: limits.maxPending, now: now) { $0.expires } }
        return code
    }

    /// Single use: the code is gone whether or not the exchange succeeds.
    mutating func redeemCode(_ code: String, now: Int) -> CodeRecord? {
        guard let record = codes.removeValue(forKey: code), record.expires > now else { return nil }
        return record
    }

    // MARK: CSRF + hosted sessions

    mutating func issueCSRF(now: Int, lifetime: Int = 3600) -> String {
        sweep(now: now)
        let token = Self.randomToken()
        csrf[token] = now + lifetime
        if csrf.count > limits.maxPending { Self.trim(&csrf, to: limits.maxPending, now: now) { $0 } }
        return token
    }

    func checkCSRF(_ token: String, now: Int) -> Bool {
        guard let expires = csrf[token] else { return false }
        return expires > now
    }

    mutating func startSession(username: String, authTime: Int, now: Int, lifetime: Int = 3600) -> String {
        let id = Self.randomToken()
        sessions[id] = HostedSession(username: username, authTime: authTime, expires: now + lifetime)
        if sessions.count > limits.maxPending { Self.trim(&sessions, to: limits.maxPending, now: now) { $0.expires } }
        return id
    }

    func session(_ id: String, now: Int) -> HostedSession? {
        guard let session = sessions[id], session.expires > now else { return nil }
        return session
    }

    mutating func endSession(_ id: String) {
        sessions[id] = nil
    }

    /// Drops expired entries at most once a minute, so memory stays bounded under a long load test.
    private mutating func sweep(now: Int) {
        guard now - lastSweep >= 60 else { return }
        lastSweep = now
        refreshTokens = refreshTokens.filter { $0.value.expires > now }
        codes = codes.filter { $0.value.expires > now }
        csrf = csrf.filter { $0.value > now }
        sessions = sessions.filter { $0.value.expires > now }
        revokedOrigins = revokedOrigins.filter { $0.value > now }
        rebuildRefreshIndex()
    }

    /// Brings `entries` under `cap`: expired entries first, then those nearest their expiry, down to 90% of
    /// the cap so that the sort is paid once per many inserts, not on each.
    static func trim<Value>(_ entries: inout [String: Value], to cap: Int, now: Int, expires: (Value) -> Int) {
        entries = entries.filter { expires($0.value) > now }
        guard entries.count > cap else { return }
        let keep = max(1, cap * 9 / 10)
        let doomed = entries.sorted { expires($0.value) < expires($1.value) }.prefix(entries.count - keep)
        for (key, _) in doomed { entries[key] = nil }
    }

    private mutating func rebuildRefreshIndex() {
        var index: [String: [(token: String, expires: Int)]] = [:]
        for (token, record) in refreshTokens {
            index[record.username + "\u{0}" + record.clientId, default: []].append((token, record.expires))
        }
        // Issue order is expiry order: every token of a client has the same lifetime.
        refreshByUser = index.mapValues { $0.sorted { $0.expires < $1.expires }.map(\.token) }
    }
}
