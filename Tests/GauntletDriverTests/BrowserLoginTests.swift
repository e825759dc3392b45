import Testing
@testable import GauntletCore
@testable import GauntletDriver

/// The login state machine fed canned responses shaped like the reference stack's (issue 3 and 4).
@Suite struct BrowserLoginTests {
    let lb = "https://example.logs.gauntlet.test:8443"
    let idp = "https://auth.example.logs.gauntlet.test:9443"
    let form = """
        <form name="cognitoSignInForm" method="post" action="/login?client_id=web&amp;redirect_uri=https%3A%2F%2Fexample.logs.gauntlet.test%3A8443%2Foauth2%2Fidpresponse&amp;state=s1">
          <input type="hidden" name="_csrf" value="c5rf">
          <input id="signInFormUsername" name="username" type="text">
        </form>
        """

    func sent(_ login: inout BrowserLogin) -> BrowserLogin.Request? {
        if case .send(let request) = login.action() { return request }
        return nil
    }

    @Test func walksTheWholeFlowAndKeepsTheSessionCookie() throws {
        var login = try #require(BrowserLogin(lbURL: lb, username: "m01", password: "p w&d", jar: CookieJar()))
        var request = try #require(sent(&login))
        #expect(request == .init(method: "GET", url: lb + "/", cookie: nil, form: nil, step: .loginRedirect))

        login.receive(.init(status: 302, location: idp + "/oauth2/authorize?client_id=web&state=s1", setCookies: ["AWSELBAuthNonce=n1; Path=/; Secure"]))
        request = try #require(sent(&login))
        #expect(request.step == .authorize)
        #expect(request.url == idp + "/oauth2/authorize?client_id=web&state=s1")
        #expect(request.cookie == nil)    // the nonce belongs to the LB's host

        login.receive(.init(status: 302, location: "/login?client_id=web&state=s1"))
        request = try #require(sent(&login))
        #expect(request.step == .loginForm)
        #expect(request.url == idp + "/login?client_id=web&state=s1")

        login.receive(.init(status: 200, setCookies: ["XSRF-TOKEN=c5rf; Path=/; Secure; HttpOnly"], body: form))
        request = try #require(sent(&login))
        #expect(request.step == .loginSubmit)
        #expect(request.method == "POST")
        #expect(request.url == idp + "/login?client_id=web&redirect_uri=https%3A%2F%2Fexample.logs.gauntlet.test%3A8443%2Foauth2%2Fidpresponse&state=s1")
        #expect(request.cookie == "XSRF-TOKEN=c5rf")
        #expect(request.form == "_csrf=c5rf&username=m01&password=p%20w%26d")

        login.receive(.init(status: 302, location: lb + "/oauth2/idpresponse?code=abc&state=s1", setCookies: ["cognito=sess; Path=/"]))
        request = try #require(sent(&login))
        #expect(request.step == .idpResponse)
        #expect(request.cookie == "AWSELBAuthNonce=n1")

        login.receive(.init(status: 302, location: lb + "/", setCookies: [
            "AWSELBAuthSessionCookie-0=part0; Path=/; Secure; HttpOnly", "AWSELBAuthSessionCookie-1=part1; Path=/; Secure; HttpOnly",
            "AWSELBAuthNonce=; Max-Age=0",
        ]))
        #expect(login.action() == .done)
        #expect(login.jar.header(for: "example.logs.gauntlet.test") == "AWSELBAuthSessionCookie-0=part0; AWSELBAuthSessionCookie-1=part1")
    }

    @Test func wrongPasswordFailsWithTheStep() throws {
        var login = try #require(BrowserLogin(lbURL: lb, username: "m01", password: "bad"))
        login.receive(.init(status: 302, location: idp + "/login?x=1"))
        login.receive(.init(status: 200, body: form))
        login.receive(.init(status: 400, body: "Incorrect username or password."))
        guard case .failed(let reason) = login.action() else { Issue.record("expected a failure"); return }
        #expect(reason.contains("login_submit"))
        #expect(reason.contains("400"))
    }

    @Test func throttlingIsNamed() throws {
        var login = try #require(BrowserLogin(lbURL: lb, username: "m01", password: "x"))
        login.receive(.init(status: 302, location: idp + "/login?x=1"))
        login.receive(.init(status: 200, body: form))
        login.receive(.init(status: 429))
        guard case .failed(let reason) = login.action() else { Issue.record("expected a failure"); return }
        #expect(reason.contains("throttled"))
    }

    @Test func aRedirectLoopEnds() throws {
        var login = try #require(BrowserLogin(lbURL: lb, username: "m01", password: "x"))
        for _ in 0..<20 { login.receive(.init(status: 302, location: "/again")) }
        guard case .failed(let reason) = login.action() else { Issue.record("expected a failure"); return }
        #expect(reason.contains("redirect loop"))
    }

    @Test func redirectWithoutLocationFails() throws {
        var login = try #require(BrowserLogin(lbURL: lb, username: "m01", password: "x"))
        login.receive(.init(status: 302))
        #expect(login.action() == .failed("login_redirect: 302 without a usable Location"))
    }
}

@Suite struct WireFormatTests {
    @Test func serverTimingIsReadInSeconds() {
        let timing = ServerTiming("lb-auth;dur=2.5, target;dur=12")
        #expect(timing == ServerTiming(lbAuth: 0.0025, target: 0.012))
        #expect(ServerTiming("lb-auth;dur=1").target == -1)
        #expect(ServerTiming("garbage;;,").lbAuth == -1)
    }

    @Test func cookieJarReplacesAndDeletes() {
        var jar = CookieJar()
        jar.store("a=1; Path=/", host: "h")
        jar.store("b=2", host: "h")
        jar.store("a=3; Secure", host: "h")
        #expect(jar.header(for: "h") == "b=2; a=3")
        jar.store("b=; Max-Age=0", host: "h")
        #expect(jar.header(for: "h") == "a=3")
        #expect(jar.header(for: "other") == nil)
    }

    @Test func urlsResolveLikeABrowser() throws {
        let base = try #require(WebURL("https://Auth.Example.test:9443/oauth2/authorize?x=1"))
        #expect(base.host == "auth.example.test")
        #expect(base.origin == "https://Auth.Example.test:9443")
        #expect(base.resolving("/login?y=2")?.string == "https://Auth.Example.test:9443/login?y=2")
        #expect(base.resolving("next")?.string == "https://Auth.Example.test:9443/oauth2/next")
        #expect(base.resolving("https://lb.test/cb")?.host == "lb.test")
        #expect(WebURL("not a url") == nil)
    }

    @Test func loginFormIsParsedWithEscapes() throws {
        let form = try #require(LoginForm(html: #"<form method="post" action="/login?a=1&amp;b=2"><input type="hidden" name="_csrf" value="t&amp;k"></form>"#))
        #expect(form == LoginForm(action: "/login?a=1&b=2", csrf: "t&k"))
        #expect(LoginForm(html: "<p>no form</p>") == nil)
    }
}

extension ServerTiming {
    init(lbAuth: Double, target: Double) {
        self.init("")
        self.lbAuth = lbAuth
        self.target = target
    }
}

extension LoginForm {
    init(action: String, csrf: String) {
        self.init(html: "<form action=\"\(action)\"><input name=\"_csrf\" value=\"\(csrf)\"></form>")!
    }
}
