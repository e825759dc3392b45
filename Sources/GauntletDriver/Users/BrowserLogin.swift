import Foundation
import GauntletCore

/// The browser's login through the load balancer, as a state machine: it says which request to send
/// next and learns from each response; the worker only carries the requests out. Pure, so it is tested
/// with canned responses.
///
///   GET lb/ → 302 to the IdP's /oauth2/authorize → 302 to /login → 200 form (CSRF) → POST credentials →
///   302 to lb/oauth2/idpresponse → 302 with `AWSELBAuthSessionCookie-*` → done (the session is the jar).
struct BrowserLogin: Sendable {
    struct Request: Sendable, Equatable {
        var method: String
        var url: String
        var cookie: String?
        /// Form body (`application/x-www-form-urlencoded`) for the credentials POST.
        var form: String?
        var step: AuthStep
    }

    struct Response: Sendable, Equatable {
        var status: Int
        var location: String?
        var setCookies: [String]
        var body: String
        var lbAuth: Double = -1

        init(status: Int, location: String? = nil, setCookies: [String] = [], body: String = "", lbAuth: Double = -1) {
            self.status = status
            self.location = location
            self.setCookies = setCookies
            self.body = body
            self.lbAuth = lbAuth
        }
    }

    enum Action: Sendable, Equatable {
        case send(Request)
        /// Logged in: `jar` holds the load balancer's session cookies.
        case done
        case failed(String)
    }

    static let sessionCookiePrefix = "AWSELBAuthSessionCookie"
    static let maxSteps = 10

    let username: String
    let password: String
    let lb: WebURL
    private(set) var jar: CookieJar
    private var next: Request?
    private var current: WebURL
    private var steps = 0
    private(set) var outcome: Action?

    init?(lbURL: String, path: String = "/", username: String, password: String, jar: CookieJar = CookieJar()) {
        guard let lb = WebURL(lbURL), let start = lb.resolving(path) else { return nil }
        self.lb = lb
        self.username = username
        self.password = password
        self.jar = jar
        self.jar.clear(host: lb.host)
        self.current = start
        self.next = Request(method: "GET", url: start.string, cookie: nil, form: nil, step: .loginRedirect)
    }

    /// The next thing to do.
    mutating func action() -> Action {
        if let outcome { return outcome }
        guard let next else { return .failed("login stalled") }
        return .send(next)
    }

    /// Feeds the response to the request `action()` last returned.
    mutating func receive(_ response: Response) {
        guard outcome == nil, let sent = next else { return }
        steps += 1
        for cookie in response.setCookies { jar.store(cookie, host: current.host) }
        if (300..<400).contains(response.status) {
            if jar.has(prefix: Self.sessionCookiePrefix, host: lb.host), current.host == lb.host {
                outcome = .done
                return
            }
            guard let location = response.location, let target = current.resolving(location) else {
                outcome = .failed("\(sent.step.rawValue): \(response.status) without a usable Location")
                return
            }
            go(to: target, method: "GET", form: nil)
            return
        }
        if response.status == 200, let form = LoginForm(html: response.body) {
            guard let action = current.resolving(form.action) else {
                outcome = .failed("login form: its action \"\(form.action)\" is not a URL")
                return
            }
            let body = FormEncoding.encode([("_csrf", form.csrf), ("username", username), ("password", password)])
            go(to: action, method: "POST", form: body)
            return
        }
        if (200..<300).contains(response.status), jar.has(prefix: Self.sessionCookiePrefix, host: lb.host) {
            outcome = .done
            return
        }
        let detail = response.status == 429 ? "throttled by the identity provider (429)" : "unexpected \(response.status)"
        outcome = .failed("\(sent.step.rawValue) \(sent.url): \(detail)")
    }

    private mutating func go(to target: WebURL, method: String, form: String?) {
        guard steps < Self.maxSteps else {
            outcome = .failed("more than \(Self.maxSteps) steps without a session (redirect loop?)")
            return
        }
        current = target
        let step: AuthStep
        if target.path.hasPrefix("/oauth2/authorize") { step = .authorize }
        else if target.path.hasPrefix("/oauth2/idpresponse") { step = .idpResponse }
        else if target.path.hasPrefix("/login") { step = method == "POST" ? .loginSubmit : .loginForm }
        else { step = .loginRedirect }
        next = Request(method: method, url: target.string, cookie: jar.header(for: target.host), form: form, step: step)
    }
}

/// The hosted UI's login form: its action and CSRF token.
struct LoginForm: Sendable, Equatable {
    var action: String
    var csrf: String

    init?(html: String) {
        guard let formStart = html.range(of: "<form") else { return nil }
        let form = html[formStart.lowerBound...]
        guard let action = Self.attribute("action", in: form), let csrfAt = form.range(of: "name=\"_csrf\"") else { return nil }
        // The value attribute of the _csrf input, on either side of its name.
        let inputStart = form[..<csrfAt.lowerBound].range(of: "<input", options: .backwards)?.lowerBound ?? csrfAt.lowerBound
        let inputEnd = form[csrfAt.upperBound...].firstIndex(of: ">") ?? form.endIndex
        guard let csrf = Self.attribute("value", in: form[inputStart..<inputEnd]) else { return nil }
        self.action = Self.unescape(action)
        self.csrf = Self.unescape(csrf)
    }

    static func attribute(_ name: String, in text: Substring) -> String? {
        guard let start = text.range(of: " \(name)=\"") else { return nil }
        let rest = text[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
    }
}

enum FormEncoding {
    static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(UnicodeScalar(byte))
            default:
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
