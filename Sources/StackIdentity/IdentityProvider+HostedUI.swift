import Foundation
import Hummingbird

/// The hosted UI: `/oauth2/authorize` → `/login` (an HTML form with a CSRF token) → a redirect to the
/// client's callback with a single-use code; `/logout`. A login also starts a hosted-UI session (cookie
/// `cognito`), so a second authorize from the same browser skips the form, as Cognito's does.
extension IdentityProvider {
    struct AuthorizeRequest {
        let client: UserPool.Client
        let redirectURI: String
        let state: String?
        let scope: String
        let codeChallenge: String?
        let nonce: String?
        /// The original query, carried through the login form.
        let query: [String: String]
    }

    enum AuthorizeOutcome {
        case request(AuthorizeRequest)
        /// The redirect URI cannot be trusted: show an error page, never redirect.
        case errorPage(String)
        /// The redirect URI is trusted: send the error to it, as OAuth says.
        case errorRedirect(Response)
    }

    func validateAuthorize(_ query: [String: String]) -> AuthorizeOutcome {
        guard let clientId = query["client_id"], let client = pool.clients[clientId] else {
            return .errorPage("invalid_request: unknown or missing client_id")
        }
        guard let redirect = query["redirect_uri"] else { return .errorPage("invalid_request: missing redirect_uri") }
        guard callbacks(of: client).contains(redirect) else {
            return .errorPage("redirect_mismatch: \(redirect) is not a callback URL of this client")
        }
        let state = query["state"]
        func fail(_ error: String) -> AuthorizeOutcome {
            var pairs = [("error", error)]
            if let state { pairs.append(("state", state)) }
            return .errorRedirect(HTTPReply.redirect(FormEncoding.appending(pairs, to: redirect)))
        }
        guard query["response_type"] == "code" else { return fail("unsupported_response_type") }
        guard client.oauthFlows.contains("code") else { return fail("unauthorized_client") }
        let challenge = query["code_challenge"]
        if let method = query["code_challenge_method"], method != "S256" { return fail("invalid_request") }
        if challenge != nil, query["code_challenge_method"] == nil { return fail("invalid_request") }
        if let challenge, challenge.count < 43 || challenge.count > 128 { return fail("invalid_request") }
        let requested = (query["scope"] ?? "").split(separator: " ").map(String.init)
        guard requested.allSatisfy(client.scopes.contains) else { return fail("invalid_scope") }
        let scope = (requested.isEmpty ? client.scopes : requested).joined(separator: " ")
        return .request(AuthorizeRequest(
            client: client, redirectURI: redirect, state: state, scope: scope, codeChallenge: challenge,
            nonce: query["nonce"], query: query))
    }

    func codeRedirect(_ request: AuthorizeRequest, username: String, authTime: Int) -> Response {
        let now = nowSeconds
        let record = SessionStore.CodeRecord(
            username: username, clientId: request.client.clientId, redirectURI: request.redirectURI, scope: request.scope,
            codeChallenge: request.codeChallenge, nonce: request.nonce, authTime: authTime, expires: now + config.tokens.codeSeconds)
        let code = store.withLock { $0.issueCode(record, now: now) }
        var pairs = [("code", code)]
        if let state = request.state { pairs.append(("state", state)) }
        return HTTPReply.redirect(FormEncoding.appending(pairs, to: request.redirectURI))
    }

    func addHostedUI(to router: Router<BasicRequestContext>) {
        router.get("/oauth2/authorize") { request, _ -> Response in
            switch self.validateAuthorize(request.query) {
            case .errorPage(let message): return self.errorPage(message)
            case .errorRedirect(let response): return response
            case .request(let authorize):
                if let id = request.cookie("cognito"), let session = self.store.withLock({ $0.session(id, now: self.nowSeconds) }) {
                    return self.codeRedirect(authorize, username: session.username, authTime: session.authTime)
                }
                return HTTPReply.redirect("/login?" + (request.uri.query ?? ""))
            }
        }

        router.get("/login") { request, _ -> Response in
            switch self.validateAuthorize(request.query) {
            case .errorPage(let message): return self.errorPage(message)
            case .errorRedirect(let response): return response
            case .request(let authorize): return self.loginPage(authorize, error: nil)
            }
        }

        router.post("/login") { request, _ -> Response in
            await self.timed("Login") {
                guard self.admitAuthRequest(endpoint: "login") else {
                    return HTTPReply.html(self.page("Too many requests", "<p class=\"error\">TooManyRequestsException: too many requests, try again later.</p>"), status: .tooManyRequests)
                }
                let authorize: AuthorizeRequest
                switch self.validateAuthorize(request.query) {
                case .errorPage(let message): return self.errorPage(message)
                case .errorRedirect(let response): return response
                case .request(let valid): authorize = valid
                }
                guard let form = await request.form(limit: self.config.maxBodyBytes) else {
                    return self.errorPage("invalid_request: the login form must be posted as application/x-www-form-urlencoded (at most \(self.config.maxBodyBytes) bytes)")
                }
                let now = self.nowSeconds
                guard let token = form["_csrf"], token == request.cookie("XSRF-TOKEN"),
                    self.store.withLock({ $0.checkCSRF(token, now: now) })
                else {
                    self.metrics.failure("csrf")
                    return self.errorPage("invalid_request: missing or invalid CSRF token", status: .forbidden)
                }
                guard let username = form["username"], let password = form["password"], !username.isEmpty else {
                    return self.loginPage(authorize, error: "Please enter a username and a password.")
                }
                switch self.checkPassword(username: username, password: password) {
                case .ok(let user):
                    self.metrics.login(flow: "hosted_ui")
                    let session = self.store.withLock { $0.startSession(username: user.username, authTime: now, now: now) }
                    var response = self.codeRedirect(authorize, username: user.username, authTime: now)
                    response.headers[.setCookie] = "cognito=\(session); Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=3600"
                    return response
                case .wrongPassword, .unknownUser:
                    self.metrics.failure("wrong_password")
                    return self.loginPage(authorize, error: "Incorrect username or password.", status: .badRequest)
                }
            }
        }

        router.get("/logout") { request, _ -> Response in
            let query = request.query
            guard let clientId = query["client_id"], let client = self.pool.clients[clientId] else {
                return self.errorPage("invalid_request: unknown or missing client_id")
            }
            var headers = HTTPFields()
            headers[.setCookie] = "cognito=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"
            if let id = request.cookie("cognito") { self.store.withLock { $0.endSession(id) } }
            if let logout = query["logout_uri"] {
                guard self.logoutURLs(of: client).contains(logout) else {
                    return self.errorPage("invalid_request: \(logout) is not a sign-out URL of this client")
                }
                return HTTPReply.redirect(logout, extraHeaders: headers)
            }
            if query["redirect_uri"] != nil, query["response_type"] != nil {
                return HTTPReply.redirect("/login?" + (request.uri.query ?? ""), extraHeaders: headers)
            }
            return self.errorPage("invalid_request: logout needs logout_uri, or redirect_uri and response_type")
        }
    }

    func loginPage(_ request: AuthorizeRequest, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        let csrf = store.withLock { $0.issueCSRF(now: nowSeconds) }
        let action = "/login?" + FormEncoding.encode(request.query.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        let errorHTML = error.map { "<p class=\"error\" id=\"loginErrorMessage\">\(HTTPReply.escape($0))</p>" } ?? ""
        let body = """
            \(errorHTML)
            <form name="cognitoSignInForm" method="post" action="\(HTTPReply.escape(action))">
              <input type="hidden" name="_csrf" value="\(csrf)">
              <label for="signInFormUsername">Username</label>
              <input id="signInFormUsername" name="username" type="text" autocomplete="username" required>
              <label for="signInFormPassword">Password</label>
              <input id="signInFormPassword" name="password" type="password" autocomplete="current-password" required>
              <input name="signInSubmitButton" type="submit" value="Sign in">
            </form>
            """
        var headers = HTTPFields()
        headers[.setCookie] = "XSRF-TOKEN=\(csrf); Path=/; Secure; HttpOnly; SameSite=Lax"
        return HTTPReply.html(page("Sign in", body), status: status, extraHeaders: headers)
    }

    func errorPage(_ message: String, status: HTTPResponse.Status = .badRequest) -> Response {
        HTTPReply.html(page("Error", "<p class=\"error\">\(HTTPReply.escape(message))</p>"), status: status)
    }

    func page(_ title: String, _ body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(HTTPReply.escape(title))</title></head>
        <body><h1>\(HTTPReply.escape(title))</h1>
        \(body)
        </body></html>
        """
    }
}
