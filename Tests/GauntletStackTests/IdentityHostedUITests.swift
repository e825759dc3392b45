import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import StackIdentity
import StackSupport
import Testing

func base64url(_ bytes: some Sequence<UInt8>) -> String {
    Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

func firstMatch(_ pattern: String, in text: String) -> String? {
    guard let regex = try? NSRegularExpression(pattern: pattern),
        let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
        let range = Range(match.range(at: 1), in: text)
    else { return nil }
    return String(text[range])
}

@Suite struct IdentityHostedUITests {
    static let callback = "http://localhost/callback"
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-long-enough-verifier"
    static var challenge: String { base64url(SHA256.hash(data: Array(verifier.utf8))) }

    func authorizeQuery(_ clientId: String, redirect: String = callback, extra: [(String, String)] = []) -> String {
        ([("response_type", "code"), ("client_id", clientId), ("redirect_uri", redirect), ("state", "st-123"),
          ("scope", "openid email"), ("code_challenge", Self.challenge), ("code_challenge_method", "S256")] + extra)
            .map { "\(escapeForm($0.0))=\(escapeForm($0.1))" }.joined(separator: "&")
    }

    /// authorize → login form → POST → code; returns the callback URL.
    func login(_ client: any TestClientProtocol, clientId: String, username: String, password: String) async throws -> String {
        let authorize = try await client.execute(uri: "/oauth2/authorize?" + authorizeQuery(clientId), method: .get)
        #expect(authorize.status == .found)
        let loginURL = authorize.headers[.location] ?? ""
        #expect(loginURL.hasPrefix("/login?"))
        let page = try await client.execute(uri: loginURL, method: .get)
        #expect(page.status == .ok)
        let html = String(buffer: page.body)
        let csrf = firstMatch(#"name="_csrf" value="([^"]+)""#, in: html) ?? ""
        let action = (firstMatch(#"action="([^"]+)""#, in: html) ?? "").replacingOccurrences(of: "&amp;", with: "&")
        #expect(!csrf.isEmpty)
        #expect(page.headers[.setCookie]?.contains("XSRF-TOKEN=\(csrf)") == true)
        let posted = try await client.form(
            action, [("_csrf", csrf), ("username", username), ("password", password)],
            headers: [.cookie: "XSRF-TOKEN=\(csrf)"])
        #expect(posted.status == .found, "\(String(buffer: posted.body))")
        return posted.headers[.location] ?? ""
    }

    @Test func codeFlowWithPKCEIssuesTokensAndTheCodeIsSingleUse() async throws {
        let f = try await IdentityFixture.make()
        defer { f.cleanup() }
        let api = f.api
        let user = f.analyst
        try await f.test { client in
            let location = try await login(client, clientId: api.clientId, username: user.username, password: user.password)
            #expect(location.hasPrefix(Self.callback + "?"))
            let items = queryItems(location)
            #expect(items["state"] == "st-123")
            let code = items["code"] ?? ""
            #expect(!code.isEmpty)

            let exchange: [(String, String)] = [
                ("grant_type", "authorization_code"), ("client_id", api.clientId), ("code", code),
                ("redirect_uri", Self.callback), ("code_verifier", Self.verifier),
            ]
            let token = try await client.form("/oauth2/token", exchange)
            #expect(token.status == .ok)
            let json = try JSONSerialization.jsonObject(with: Data(token.body.readableBytesView)) as? [String: Any] ?? [:]
            #expect(json["token_type"] as? String == "Bearer")
            #expect(json["refresh_token"] is String)
            let id = jwtParts(json["id_token"] as? String ?? "").payload
            #expect(id["cognito:username"] as? String == user.username)
            #expect(id["aud"] as? String == api.clientId)
            let access = jwtParts(json["access_token"] as? String ?? "").payload
            #expect(access["scope"] as? String == "openid email")

            let reused = try await client.form("/oauth2/token", exchange)
            #expect(reused.status == .badRequest)
            #expect(String(buffer: reused.body).contains("\"invalid_grant\""))

            let userInfo = try await client.execute(
                uri: "/oauth2/userInfo", method: .get, headers: [.authorization: "Bearer \(json["access_token"] as? String ?? "")"])
            #expect(userInfo.status == .ok)
            #expect(String(buffer: userInfo.body).contains(user.username))

            // The hosted-UI session skips the form the second time.
            let cookieLogin = try await client.execute(uri: "/oauth2/authorize?" + authorizeQuery(api.clientId), method: .get)
            #expect(cookieLogin.headers[.location]?.hasPrefix("/login") == true, "no cookie sent, so the form again")
        }
    }

    @Test func wrongVerifierAndWrongRedirectAreRefused() async throws {
        let f = try await IdentityFixture.make()
        defer { f.cleanup() }
        let api = f.api
        let user = f.analyst
        try await f.test { client in
            let code = queryItems(try await login(client, clientId: api.clientId, username: user.username, password: user.password))["code"] ?? ""
            let bad = try await client.form("/oauth2/token", [
                ("grant_type", "authorization_code"), ("client_id", api.clientId), ("code", code),
                ("redirect_uri", Self.callback), ("code_verifier", "wrong-wrong-wrong-wrong-wrong-wrong-wrong-wrong"),
            ])
            #expect(bad.status == .badRequest)
            #expect(String(buffer: bad.body).contains("invalid_grant"))

            let mismatch = try await client.execute(
                uri: "/oauth2/authorize?" + authorizeQuery(api.clientId, redirect: "https://evil.example/cb"), method: .get)
            #expect(mismatch.status == .badRequest)
            #expect(mismatch.headers[.location] == nil)
            #expect(String(buffer: mismatch.body).contains("redirect_mismatch"))

            let plain = try await client.execute(
                uri: "/oauth2/authorize?" + authorizeQuery(api.clientId, extra: [("code_challenge_method", "plain")]).replacingOccurrences(of: "code_challenge_method=S256&", with: ""),
                method: .get)
            #expect(plain.status == .found)
            #expect(plain.headers[.location]?.contains("error=invalid_request") == true)

            let unknownClient = try await client.execute(uri: "/oauth2/authorize?client_id=nope&redirect_uri=x", method: .get)
            #expect(unknownClient.status == .badRequest)
        }
    }

    @Test func loginFormRequiresCSRFAndRejectsBadPasswords() async throws {
        let f = try await IdentityFixture.make()
        defer { f.cleanup() }
        let api = f.api
        let user = f.manager
        try await f.test { client in
            let query = authorizeQuery(api.clientId)
            let noCSRF = try await client.form("/login?" + query, [("username", user.username), ("password", user.password)])
            #expect(noCSRF.status == .forbidden)
            let page = try await client.execute(uri: "/login?" + query, method: .get)
            let csrf = firstMatch(#"name="_csrf" value="([^"]+)""#, in: String(buffer: page.body)) ?? ""
            let mismatched = try await client.form(
                "/login?" + query, [("_csrf", csrf), ("username", user.username), ("password", user.password)],
                headers: [.cookie: "XSRF-TOKEN=other"])
            #expect(mismatched.status == .forbidden)
            let wrong = try await client.form(
                "/login?" + query, [("_csrf", csrf), ("username", user.username), ("password", "bad")],
                headers: [.cookie: "XSRF-TOKEN=\(csrf)"])
            #expect(wrong.status == .badRequest)
            #expect(String(buffer: wrong.body).contains("Incorrect username or password."))
            let json = try await client.execute(
                uri: "/login?" + query, method: .post, headers: [.contentType: "application/json", .cookie: "XSRF-TOKEN=\(csrf)"],
                body: ByteBuffer(string: "{}"))
            #expect(json.status == .badRequest)
        }
    }

    @Test func loginIsThrottledWithTheQuota() async throws {
        let f = try await IdentityFixture.make { $0.quota.authRps = 1 }
        defer { f.cleanup() }
        let api = f.api
        try await f.test { client in
            let query = authorizeQuery(api.clientId)
            _ = try await client.form("/login?" + query, [("username", "a"), ("password", "b")])
            let second = try await client.form("/login?" + query, [("username", "a"), ("password", "b")])
            #expect(second.status == .tooManyRequests)
            #expect(String(buffer: second.body).contains("TooManyRequestsException"))
        }
    }

    @Test func clientCredentialsAndClientAuthentication() async throws {
        let f = try await IdentityFixture.make()
        defer { f.cleanup() }
        let uploader = f.uploader
        try await f.test { client in
            let basic = "Basic " + Data("\(uploader.clientId):\(uploader.clientSecret!)".utf8).base64EncodedString()
            let ok = try await client.form("/oauth2/token", [("grant_type", "client_credentials")], headers: [.authorization: basic])
            #expect(ok.status == .ok)
            let json = try JSONSerialization.jsonObject(with: Data(ok.body.readableBytesView)) as? [String: Any] ?? [:]
            #expect(json["id_token"] == nil)
            #expect(json["refresh_token"] == nil)
            let access = jwtParts(json["access_token"] as? String ?? "").payload
            #expect(access["scope"] as? String == "gauntlet-upload/events.write")
            #expect(access["sub"] as? String == uploader.clientId)
            #expect(access["token_use"] as? String == "access")

            let badSecret = "Basic " + Data("\(uploader.clientId):wrong".utf8).base64EncodedString()
            let denied = try await client.form("/oauth2/token", [("grant_type", "client_credentials")], headers: [.authorization: badSecret])
            #expect(denied.status == .unauthorized)
            #expect(String(buffer: denied.body).contains("invalid_client"))
            let garbage = try await client.form("/oauth2/token", [("grant_type", "client_credentials")], headers: [.authorization: "Basic %%%"])
            #expect(garbage.status == .unauthorized)
            let badScope = try await client.form("/oauth2/token", [("grant_type", "client_credentials"), ("scope", "admin/everything")], headers: [.authorization: basic])
            #expect(String(buffer: badScope.body).contains("invalid_scope"))
            let grant = try await client.form("/oauth2/token", [("grant_type", "password")], headers: [.authorization: basic])
            #expect(String(buffer: grant.body).contains("unsupported_grant_type"))
            let notForm = try await client.execute(uri: "/oauth2/token", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}"))
            #expect(notForm.status == .badRequest)
            #expect(String(buffer: notForm.body).contains("invalid_request"))
        }
    }

    @Test func refreshGrantAndUserInfoErrors() async throws {
        let f = try await IdentityFixture.make()
        defer { f.cleanup() }
        let web = f.web
        let user = f.manager
        try await f.test { client in
            let hash = UserPool.secretHash(username: user.username, clientId: web.clientId, clientSecret: web.clientSecret!)
            let login = try await client.cognito("InitiateAuth", [
                "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": web.clientId,
                "AuthParameters": ["USERNAME": user.username, "PASSWORD": user.password, "SECRET_HASH": hash],
            ])
            let basic = "Basic " + Data("\(web.clientId):\(web.clientSecret!)".utf8).base64EncodedString()
            let refresh = login.result["RefreshToken"] as! String
            let ok = try await client.form("/oauth2/token", [("grant_type", "refresh_token"), ("refresh_token", refresh)], headers: [.authorization: basic])
            #expect(ok.status == .ok)
            let body = String(buffer: ok.body)
            #expect(body.contains("id_token") && !body.contains("refresh_token"))
            let bad = try await client.form("/oauth2/token", [("grant_type", "refresh_token"), ("refresh_token", "nope")], headers: [.authorization: basic])
            #expect(String(buffer: bad.body).contains("invalid_grant"))

            let noToken = try await client.execute(uri: "/oauth2/userInfo", method: .get)
            #expect(noToken.status == .unauthorized)
            let badToken = try await client.execute(uri: "/oauth2/userInfo", method: .get, headers: [.authorization: "Bearer abc.def.ghi"])
            #expect(badToken.status == .unauthorized)
            #expect(badToken.headers[.wwwAuthenticate]?.contains("error=\"invalid_token\"") == true)
            // An ID token is not an access token.
            let idToken = try await client.execute(
                uri: "/oauth2/userInfo", method: .get, headers: [.authorization: "Bearer \(login.result["IdToken"] as! String)"])
            #expect(idToken.status == .unauthorized)
        }
    }

    @Test func discoveryDocumentsAndLogout() async throws {
        let f = try await IdentityFixture.make()
        defer { f.cleanup() }
        let pool = f.idp.poolId
        let accessKid = f.idp.tokens.accessKid
        let idKid = f.idp.tokens.idKid
        let api = f.api
        try await f.test { client in
            let jwks = try await client.execute(uri: "/\(pool)/.well-known/jwks.json", method: .get)
            #expect(jwks.status == .ok)
            let keys = (try JSONSerialization.jsonObject(with: Data(jwks.body.readableBytesView)) as? [String: Any])?["keys"] as? [[String: String]] ?? []
            #expect(Set(keys.compactMap { $0["kid"] }) == [accessKid, idKid])
            #expect(keys.allSatisfy { $0["alg"] == "RS256" && $0["kty"] == "RSA" && $0["use"] == "sig" && $0["e"] == "AQAB" })
            let otherPool = try await client.execute(uri: "/us-east-1_Other/.well-known/jwks.json", method: .get)
            #expect(otherPool.status == .notFound)
            let oidc = try await client.execute(uri: "/\(pool)/.well-known/openid-configuration", method: .get)
            let config = try JSONSerialization.jsonObject(with: Data(oidc.body.readableBytesView)) as? [String: Any] ?? [:]
            #expect(config["issuer"] as? String == "https://cognito-idp.us-east-1.amazonaws.com/\(pool)")
            #expect((config["jwks_uri"] as? String)?.hasSuffix("/\(pool)/.well-known/jwks.json") == true)

            let logout = try await client.execute(
                uri: "/logout?client_id=\(api.clientId)&logout_uri=\(escapeForm("http://localhost/signed-out"))", method: .get)
            #expect(logout.status == .found)
            #expect(logout.headers[.location] == "http://localhost/signed-out")
            #expect(logout.headers[.setCookie]?.contains("Max-Age=0") == true)
            let evil = try await client.execute(uri: "/logout?client_id=\(api.clientId)&logout_uri=https://evil.example", method: .get)
            #expect(evil.status == .badRequest)
        }
    }
}

@Suite struct IdentityPureTests {
    @Test func tokenBucketRefillsAtItsRate() {
        var bucket = TokenBucket(rate: 2, burst: 2)
        let times: [Double] = [0, 0, 0, 0.4, 0.5, 10, 10, 10]
        let admitted = times.map { bucket.take(now: $0) == .allowed }
        // The last `false`: the burst caps the tokens saved up over the 9.5 s idle stretch.
        #expect(admitted == [true, true, false, false, true, true, true, false])
    }

    @Test func demoCredentialsAreDeterministicAndDistinct() {
        let a = UserPool.demoCredentials(seed: 1, managers: 20, analysts: 200)
        let b = UserPool.demoCredentials(seed: 1, managers: 20, analysts: 200)
        let c = UserPool.demoCredentials(seed: 2, managers: 20, analysts: 200)
        #expect(a == b)
        #expect(a.count == 220)
        #expect(a.first?.username == "manager-001")
        #expect(a.last?.username == "analyst-200")
        #expect(a.map(\.password) != c.map(\.password))
        #expect(Set(a.map(\.password)).count == 220)
    }

    @Test func secretHashMatchesCognitosDefinition() {
        // HMAC-SHA256("secret", "alice" + "client") base64, computed independently with openssl.
        #expect(UserPool.secretHash(username: "alice", clientId: "client", clientSecret: "secret") == "RTsve+FQ659UKyESgvLg9GYmZEL+QjzQsW/OjL77/b0=")
    }
}
