import Foundation
import StackSupport
import Testing

@testable import StackIdentity

/// The identity provider's in-memory state stays bounded in a long run: expiry as Cognito's, then caps.
@Suite("identity provider store limits")
struct IdentityStoreLimitsTests {
    func limits(refresh: Int = 1000, perUser: Int = 3, pending: Int = 100) -> IdentityConfig.StoreLimits {
        var limits = IdentityConfig.StoreLimits()
        limits.maxRefreshTokens = refresh
        limits.maxRefreshTokensPerUser = perUser
        limits.maxPending = pending
        return limits
    }

    @Test("a user's logins past the per-user cap revoke that user's oldest refresh tokens only")
    func perUserCap() {
        var store = SessionStore(limits: limits(perUser: 3))
        let tokens = (0..<5).map { n in
            store.issueRefresh(username: "alice", clientId: "web", scope: "openid", authTime: n, now: 1000 + n, lifetime: 3600).token
        }
        let bob = store.issueRefresh(username: "bob", clientId: "web", scope: "openid", authTime: 0, now: 1000, lifetime: 3600).token
        #expect(store.counts.refreshTokens == 4)
        for old in tokens.prefix(2) {
            #expect(throws: SessionStore.RefreshLookupError.self) { try store.refresh(old, clientId: "web", now: 1010).get() }
        }
        for kept in tokens.suffix(3) + [bob] {
            #expect((try? store.refresh(kept, clientId: "web", now: 1010).get()) != nil)
        }
    }

    @Test("past the global cap the tokens nearest expiry go first, and the store never exceeds it")
    func globalCap() {
        var store = SessionStore(limits: limits(refresh: 50, perUser: 1000))
        var issued: [String] = []
        for n in 0..<500 {
            issued.append(store.issueRefresh(username: "user\(n)", clientId: "web", scope: "openid", authTime: n, now: 1000 + n, lifetime: 3600).token)
            #expect(store.counts.refreshTokens <= 50)
        }
        #expect((try? store.refresh(issued.last!, clientId: "web", now: 1500).get()) != nil, "the newest survives")
        #expect((try? store.refresh(issued.first!, clientId: "web", now: 1500).get()) == nil, "the oldest went first")
    }

    @Test("codes expire as Cognito's do; CSRF tokens and hosted sessions are capped, as logins go on for hours")
    func pendingCapsAndExpiry() {
        var store = SessionStore(limits: limits(pending: 1000))
        for n in 0..<2000 {
            let now = 1000 + n * 3 // 6000 s of logins, one every 3 s
            _ = store.issueCSRF(now: now)
            let record = SessionStore.CodeRecord(username: "u", clientId: "web", redirectURI: "https://x/cb", scope: "openid",
                                                 codeChallenge: nil, nonce: nil, authTime: now, expires: now + 300)
            _ = store.issueCode(record, now: now)
            _ = store.startSession(username: "u", authTime: now, now: now)
            let counts = store.counts
            #expect(counts.csrf <= 1000 && counts.sessions <= 1000)
            // Codes live five minutes: one per 3 s is 100 alive, plus what a minute between sweeps leaves.
            #expect(counts.codes <= 121, "at \(now): \(counts.codes) codes")
        }
        #expect(store.counts.csrf >= 900, "an hour of CSRF tokens at one per 3 s is past the cap: it bound them")
    }

    @Test("the limits decode from the stack config and refuse nonsense")
    func decoding() throws {
        #expect(IdentityConfig().store == IdentityConfig.StoreLimits())
        let config = try StackConfigLoader.decode(IdentityConfig.self, yaml: "store: {max_refresh_tokens_per_user: 5, max_pending: 7}\n")
        #expect(config.store.maxRefreshTokensPerUser == 5 && config.store.maxPending == 7 && config.store.maxRefreshTokens == 100_000)
        for yaml in ["store: {max_pending: 0}\n", "store: {max_refresh_tokens: -1}\n", "store: {max_sessions: 5}\n"] {
            #expect(throws: (any Error).self, "\(yaml)") { _ = try StackConfigLoader.decode(IdentityConfig.self, yaml: yaml) }
        }
    }
}
