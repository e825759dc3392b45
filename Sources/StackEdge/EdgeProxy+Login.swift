import Foundation
import Hummingbird

/// The OIDC authorization-code flow as ALB runs it: redirect to the IdP, then `/oauth2/idpresponse`.
extension EdgeProxy {
    /// How long a login may take between the redirect and the callback.
    static let loginWindowSeconds = 900

    func startLogin(_ auth: RuleAction.Authenticate, exchange: inout Exchange) -> EdgeResponse {
        let facts = exchange.facts
        let state = LogFormat.randomHex(bytes: 24)
        let original = "https://\(facts.host)\(facts.path)" + (facts.rawQuery.isEmpty ? "" : "?\(facts.rawQuery)")
        let login = LoginState(state: state, originalURL: original, expiresAt: Self.unixNow() + Self.loginWindowSeconds,
                               sessionTimeout: auth.sessionTimeout ?? config.sessionTimeout)
        let query = [
            ("client_id", idp.credentials.clientID),
            ("redirect_uri", redirectURI(host: facts.host)),
            ("response_type", "code"),
            ("scope", auth.scope),
            ("state", state),
        ].map { "\($0)=\(IdentityProviderClient.formEncode($1))" }.joined(separator: "&")
        let location = "\(idp.endpoints.authorizeURL)?\(query)"
        do {
            exchange.setCookies.append(try cookies.nonceCookie(for: login))
        } catch {
            return .albError(500, errorReason: "AuthUnhandledException")
        }
        return EdgeResponse(status: 302, headers: [("Location", location), ("Cache-Control", "no-cache, no-store")])
    }

    func redirectURI(host: String) -> String { "https://\(host)\(Self.callbackPath)" }

    /// `/oauth2/idpresponse`: never forwarded; checks the state, exchanges the code, reads userInfo, sets the
    /// session cookies and sends the browser back where it started.
    func handleCallback(exchange: inout Exchange) async -> EdgeResponse {
        exchange.fallbackActions = ["authenticate"]
        let start = ContinuousClock.now
        defer { exchange.authSeconds = Self.seconds(since: start) }
        let now = Self.unixNow()
        let params = Dictionary(exchange.facts.query.compactMap { item in item.key.map { ($0, item.value) } }, uniquingKeysWith: { first, _ in first })
        let jar = SessionCookieCodec.parseCookies(exchange.facts.headers.filter { $0.name.lowercased() == "cookie" }.map(\.value))

        if params["error"] != nil {
            return .albError(561, errorReason: "AuthIdpError")
        }
        guard let login = cookies.decodeLoginState(from: jar, now: now) else {
            return .albError(401, errorReason: "AuthMissingAWSALBAuthNonce")
        }
        guard let state = params["state"], state == login.state else {
            return .albError(401, errorReason: "AuthInvalidStateParam")
        }
        guard let code = params["code"], !code.isEmpty else {
            return .albError(401, errorReason: "AuthMissingCodeParam")
        }
        let session: EdgeSession
        do {
            let tokens = try await idp.exchange(code: code, redirectURI: redirectURI(host: exchange.facts.host))
            let userInfo = try await idp.userInfo(accessToken: tokens.accessToken)
            let claims = (try? JSONSerialization.jsonObject(with: Data(userInfo.utf8))) as? [String: Any] ?? [:]
            var groups = IdentityProviderClient.groups(fromJWT: tokens.accessToken)
            if groups.isEmpty, let idToken = tokens.idToken { groups = IdentityProviderClient.groups(fromJWT: idToken) }
            session = EdgeSession(
                subject: claims["sub"] as? String ?? "", groups: groups, accessToken: tokens.accessToken, idToken: tokens.idToken,
                refreshToken: tokens.refreshToken, accessExpiresAt: now + tokens.expiresIn,
                sessionExpiresAt: now + login.sessionTimeout, userInfoJSON: userInfo)
        } catch {
            return .albError(561, errorReason: error.logReason)
        }
        do {
            let previous = SessionCookieCodec.shardCount(in: jar)
            exchange.setCookies += try cookies.setCookieHeaders(for: session, now: now, previousShardCount: previous)
        } catch {
            return .albError(500, errorReason: "AuthUnhandledException")
        }
        exchange.setCookies.append(SessionCookieCodec.expiredCookie(SessionCookieCodec.nonceCookieName))
        return EdgeResponse(status: 302, headers: [("Location", login.originalURL), ("Cache-Control", "no-cache, no-store")])
    }
}
