import Crypto
import Foundation
import Hummingbird
import StackSupport

/// `/oauth2/token` (authorization_code, refresh_token, client_credentials), `/oauth2/userInfo`,
/// `/oauth2/revoke`, with OAuth 2.0 error bodies.
extension IdentityProvider {
    func addOAuth(to router: Router<BasicRequestContext>) {
        router.post("/oauth2/token") { request, _ -> Response in
            do {
                return try await self.timed("Token") { try await self.token(request) }
            } catch let error as OAuthError {
                return error.response()
            }
        }
        router.get("/oauth2/userInfo") { request, _ in await self.userInfo(request) }
        router.post("/oauth2/userInfo") { request, _ in await self.userInfo(request) }
        router.post("/oauth2/revoke") { request, _ -> Response in
            do {
                guard let form = await request.form(limit: self.config.maxBodyBytes) else {
                    throw OAuthError("invalid_request", "expected an application/x-www-form-urlencoded body")
                }
                let client = try self.authenticateClient(request, form)
                guard let token = form["token"] else { throw OAuthError("invalid_request", "missing token") }
                if token.split(separator: ".").count == 3 { throw OAuthError("unsupported_token_type") }
                _ = self.store.withLock { $0.revoke(refreshToken: token, clientId: client.clientId) }
                return Response(status: .ok)
            } catch let error as OAuthError {
                return error.response()
            }
        }
    }

    private func token(_ request: Request) async throws -> Response {
        guard let form = await request.form(limit: config.maxBodyBytes) else {
            throw OAuthError("invalid_request", "expected an application/x-www-form-urlencoded body of at most \(config.maxBodyBytes) bytes")
        }
        guard let grant = form["grant_type"] else { throw OAuthError("invalid_request", "missing grant_type") }
        switch grant {
        case "authorization_code":
            let client = try authenticateClient(request, form)
            guard let code = form["code"] else { throw OAuthError("invalid_request", "missing code") }
            guard let redirect = form["redirect_uri"] else { throw OAuthError("invalid_request", "missing redirect_uri") }
            guard let record = store.withLock({ $0.redeemCode(code, now: nowSeconds) }) else {
                metrics.failure("invalid_code")
                throw OAuthError("invalid_grant")
            }
            guard record.clientId == client.clientId, record.redirectURI == redirect else {
                metrics.failure("invalid_code")
                throw OAuthError("invalid_grant")
            }
            if let challenge = record.codeChallenge {
                guard let verifier = form["code_verifier"],
                    Base64URL.encode(Array(SHA256.hash(data: Array(verifier.utf8)))) == challenge
                else {
                    metrics.failure("pkce")
                    throw OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
                }
            }
            guard let user = pool.users[record.username] else { throw OAuthError("invalid_grant") }
            let minted = try await mintUserTokens(
                user: user, client: client, scope: record.scope, authTime: record.authTime, refreshOrigin: nil, nonce: record.nonce)
            metrics.login(flow: "authorization_code")
            return tokenResponse(minted, includeID: record.scope.split(separator: " ").contains("openid"))

        case "refresh_token":
            guard admitAuthRequest(endpoint: "refresh_token") else {
                throw OAuthError("too_many_requests", "TooManyRequestsException: rate exceeded", status: .tooManyRequests)
            }
            let client = try authenticateClient(request, form)
            guard let token = form["refresh_token"] else { throw OAuthError("invalid_request", "missing refresh_token") }
            let record: SessionStore.RefreshRecord
            do {
                record = try refreshRecord(token, client: client)
            } catch {
                throw OAuthError("invalid_grant")
            }
            guard let user = pool.users[record.username] else { throw OAuthError("invalid_grant") }
            let minted = try await mintUserTokens(
                user: user, client: client, scope: record.scope, authTime: record.authTime, refreshOrigin: record.originJti)
            metrics.refresh(flow: "token_endpoint")
            return tokenResponse(minted, includeID: true)

        case "client_credentials":
            let client = try authenticateClient(request, form)
            guard client.clientSecret != nil, client.oauthFlows.contains("client_credentials") else {
                throw OAuthError("unauthorized_client")
            }
            let allowed = client.scopes.filter(pool.resourceScopes.contains)
            let requested = (form["scope"] ?? "").split(separator: " ").map(String.init)
            guard requested.allSatisfy(allowed.contains), !(requested.isEmpty && allowed.isEmpty) else {
                throw OAuthError("invalid_scope")
            }
            let minted = try await mintClientToken(client: client, scope: (requested.isEmpty ? allowed : requested).joined(separator: " "))
            metrics.login(flow: "client_credentials")
            return tokenResponse(minted, includeID: false)

        default:
            throw OAuthError("unsupported_grant_type")
        }
    }

    /// Client authentication: HTTP Basic (`client_secret_basic`), or `client_id` (+ `client_secret`) in the
    /// body. A client with a secret must present it.
    func authenticateClient(_ request: Request, _ form: [String: String]) throws -> UserPool.Client {
        var id = form["client_id"]
        var secret = form["client_secret"]
        if let authorization = request.headers[.authorization] {
            guard authorization.lowercased().hasPrefix("basic "),
                let decoded = Data(base64Encoded: String(authorization.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
                let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
            else {
                metrics.failure("invalid_client")
                throw OAuthError("invalid_client", "malformed Authorization header", status: .unauthorized)
            }
            id = FormEncoding.decode(String(text[..<colon]))
            secret = FormEncoding.decode(String(text[text.index(after: colon)...]))
        }
        guard let id, let client = pool.clients[id] else {
            metrics.failure("invalid_client")
            throw OAuthError("invalid_client", status: .unauthorized)
        }
        if let expected = client.clientSecret, secret != expected {
            metrics.failure("invalid_client")
            throw OAuthError("invalid_client", status: .unauthorized)
        }
        return client
    }

    private func tokenResponse(_ minted: MintedTokens, includeID: Bool) -> Response {
        var object: [String: Any] = ["access_token": minted.access, "expires_in": minted.expiresIn, "token_type": "Bearer"]
        if includeID, let id = minted.id { object["id_token"] = id }
        if let refresh = minted.refresh { object["refresh_token"] = refresh }
        var response = HTTPReply.json(object, contentType: "application/json;charset=UTF-8")
        response.headers[.cacheControl] = "no-store"
        return response
    }

    private func userInfo(_ request: Request) async -> Response {
        func unauthorized(_ description: String) -> Response {
            var response = HTTPReply.json(["error": "invalid_token", "error_description": description], status: .unauthorized)
            response.headers[.wwwAuthenticate] = "Bearer error=\"invalid_token\", error_description=\"\(description)\""
            return response
        }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            return unauthorized("Access token is missing")
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        switch await checkAccessToken(token) {
        case .ok(_, let user):
            return HTTPReply.json([
                "sub": user.sub, "email": user.email, "email_verified": "true", "username": user.username,
            ])
        case .expired: return unauthorized("Access token has expired")
        case .revoked: return unauthorized("Access token has been revoked")
        case .invalid: return unauthorized("Invalid access token")
        }
    }

    func addDiscovery(to router: Router<BasicRequestContext>) {
        router.get("/:pool/.well-known/jwks.json") { request, context -> Response in
            guard context.parameters.get("pool") == self.pool.poolId else { return Response(status: .notFound) }
            return HTTPReply.json((try? self.tokens.jwks()) ?? ["keys": []])
        }
        router.get("/:pool/.well-known/openid-configuration") { _, context -> Response in
            guard context.parameters.get("pool") == self.pool.poolId else { return Response(status: .notFound) }
            return HTTPReply.json(self.openIDConfiguration())
        }
        router.get("/.well-known/openid-configuration") { _, _ in HTTPReply.json(self.openIDConfiguration()) }
    }

    func openIDConfiguration() -> [String: Any] {
        let base = urlByName ?? "https://\(names.identityProvider)"
        return [
            "issuer": issuer,
            "authorization_endpoint": base + "/oauth2/authorize",
            "token_endpoint": base + "/oauth2/token",
            "userinfo_endpoint": base + "/oauth2/userInfo",
            "revocation_endpoint": base + "/oauth2/revoke",
            "end_session_endpoint": base + "/logout",
            "jwks_uri": base + jwksPath,
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"] + pool.resourceScopes.sorted(),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        ]
    }
}
