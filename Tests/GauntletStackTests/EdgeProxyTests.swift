import Crypto
import Foundation
import StackSupport
import Testing

@testable import StackEdge

/// Live tests: a real LB over TLS in front of echo targets and a fake identity provider, all on 127.0.0.1:0.
@Suite("Load balancer, live", .serialized, .timeLimit(.minutes(2)))
struct EdgeProxyTests {
    @Test func browserLoginFlowReachesTheRightBackendWithSignedIdentity() async throws {
        try await EdgeHarness.with { h in
            // 1. No session: 302 to the IdP's authorize endpoint with ALB's parameters, plus the nonce cookie.
            let start = try await h.get("/manager/users?tab=2")
            #expect(start.status == 302)
            let location = try #require(start.header("location"))
            let authorize = try #require(URLComponents(string: location))
            #expect(authorize.host == "auth.example.logs.gauntlet.test" && authorize.path == "/oauth2/authorize")
            let query = Dictionary(uniqueKeysWithValues: (authorize.queryItems ?? []).map { ($0.name, $0.value ?? "") })
            #expect(query["client_id"] == FakeIdentityProvider.clientID)
            #expect(query["redirect_uri"] == "https://127.0.0.1:\(h.lbPort)/oauth2/idpresponse")
            #expect(query["response_type"] == "code" && query["scope"] == "openid")
            let state = try #require(query["state"])
            #expect(state.count >= 32)
            #expect(start.cookies["AWSELBAuthNonce"] != nil)
            #expect(start.header("server-timing")?.hasPrefix("lb-auth;dur=") == true)

            // 2. The callback exchanges the code and sets the session, then returns to the original URL.
            let callback = try await h.get("/oauth2/idpresponse?code=manager&state=\(state)", cookies: start.cookies)
            #expect(callback.status == 302)
            #expect(callback.header("location") == "https://127.0.0.1:\(h.lbPort)/manager/users?tab=2")
            let setCookies = callback.headers("set-cookie")
            let sessionCookie = try #require(setCookies.first { $0.hasPrefix("AWSELBAuthSessionCookie-0=") })
            #expect(sessionCookie.contains("Secure") && sessionCookie.contains("HttpOnly"))
            #expect(h.counters.tokenCalls.load(ordering: .relaxed) == 1)
            let session = callback.cookies.filter { $0.key.hasPrefix("AWSELBAuthSessionCookie-") }

            // 3. With the session: forwarded to the Manager UI with ALB's headers; forged ones are replaced.
            let page = try await h.get("/manager/users?tab=2", cookies: session, headers: [
                ("x-amzn-oidc-data", "forged"), ("X-Amzn-Oidc-Identity", "root"), ("x-amzn-oidc-accesstoken", "forged"), ("X-Forwarded-For", "203.0.113.9"),
            ])
            #expect(page.status == 200)
            #expect(page.header("x-served-by") == "manager-ui")
            let seen = page.seen
            #expect(seen["x-amzn-oidc-identity"] == ["sub-manager"])
            #expect(seen["x-amzn-oidc-accesstoken"]?.count == 1 && seen["x-amzn-oidc-accesstoken"] != ["forged"])
            let data = try #require(seen["x-amzn-oidc-data"]?.first)
            #expect(seen["x-amzn-oidc-data"]?.count == 1)
            #expect(seen["x-forwarded-for"] == ["203.0.113.9, 127.0.0.1"])
            #expect(seen["x-forwarded-proto"] == ["https"])
            #expect(seen["x-forwarded-port"] == ["\(h.lbPort)"])
            #expect(seen["x-amzn-trace-id"]?.first?.hasPrefix("Root=1-") == true)
            #expect(seen["cookie"] != nil, "cookies still reach the target, as on ALB")
            let timing = try #require(page.header("server-timing"))
            #expect(timing.contains("lb-auth;dur=") && timing.contains("target;dur="))
            #expect(!timing.contains("app;dur"), "the target's own Server-Timing is replaced by the LB's")

            // 4. The data header verifies against the key published at lb_key_url/<kid>.
            let parts = data.split(separator: ".").map(String.init)
            let headerBytes = try #require(Base64URL.decode(parts[0]))
        let header = try #require(try JSONSerialization.jsonObject(with: headerBytes) as? [String: Any])
            let kid = try #require(header["kid"] as? String)
            #expect(header["signer"] as? String == h.lb.signer)
            #expect(h.lb.keyURL(host: "127.0.0.1") == "https://127.0.0.1:\(h.lbPort)/.well-known/alb-keys")
            let pem = try await h.get("/.well-known/alb-keys/\(kid)")
            #expect(pem.status == 200)
            let key = try P256.Signing.PublicKey(pemRepresentation: pem.body)
            let signature = try P256.Signing.ECDSASignature(rawRepresentation: #require(Base64URL.decode(parts[2])))
            #expect(key.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8)))
            #expect(try await h.get("/.well-known/alb-keys/not-a-kid").status == 404)

            // 5. The rest of the matrix for a manager.
            #expect(try await h.get("/", cookies: session).header("x-served-by") == "manager-ui")
            #expect(try await h.get("/analytics/", cookies: session).header("x-served-by") == "analytics-ui")
            #expect(try await h.get("/manager/api/users", cookies: session).header("x-served-by") == "manager-ui")
            #expect(try await h.get("/analytics/api/search", cookies: session).header("x-served-by") == "analytics-ui")
            #expect(h.counters.refreshCalls.load(ordering: .relaxed) == 0)
        }
    }

    @Test func analystsAndAnonymousGetTheMatrixAnswers() async throws {
        try await EdgeHarness.with { h in
            let analyst = try await h.login(code: "analyst")
            #expect(try await h.get("/", cookies: analyst).header("x-served-by") == "analytics-ui")
            let forbidden = try await h.get("/manager/users", cookies: analyst)
            #expect(forbidden.status == 403 && forbidden.header("x-served-by") == nil)
            #expect(try await h.get("/manager/api/users", cookies: analyst).status == 403)
            #expect(try await h.get("/analytics/api/search", cookies: analyst).header("x-served-by") == "analytics-ui")

            let api = try await h.get("/manager/api/users")
            #expect(api.status == 401)
            #expect(try await h.get("/analytics/api/search").status == 401)
            #expect(try await h.get("/analytics/search").status == 302)
        }
    }

    @Test func callbackRefusesBadStateMissingNonceAndIdPErrors() async throws {
        try await EdgeHarness.with { h in
            let start = try await h.get("/")
            let state = try #require(URLComponents(string: start.header("location") ?? "")?.queryItems?.first { $0.name == "state" }?.value)
            #expect(try await h.get("/oauth2/idpresponse?code=manager&state=wrong", cookies: start.cookies).status == 401)
            #expect(try await h.get("/oauth2/idpresponse?code=manager&state=\(state)").status == 401, "no nonce cookie")
            #expect(try await h.get("/oauth2/idpresponse?state=\(state)", cookies: start.cookies).status == 401, "no code")
            #expect(try await h.get("/oauth2/idpresponse?code=bad&state=\(state)", cookies: start.cookies).status == 561)
            #expect(try await h.get("/oauth2/idpresponse?error=access_denied&state=\(state)", cookies: start.cookies).status == 561)
            // The callback never reaches a target, even with a session.
            let session = try await h.login(code: "manager")
            #expect(try await h.get("/oauth2/idpresponse", cookies: session).header("x-served-by") == nil)
        }
    }

    @Test func tamperedCookiesMeanLoginAgain() async throws {
        try await EdgeHarness.with { h in
            var session = try await h.login(code: "manager")
            var value = Array(session["AWSELBAuthSessionCookie-0"]!)
            value[30] = value[30] == "x" ? "y" : "x"
            session["AWSELBAuthSessionCookie-0"] = String(value)
            let reply = try await h.get("/manager/", cookies: session)
            #expect(reply.status == 302)
            #expect(reply.headers("set-cookie").contains { $0.hasPrefix("AWSELBAuthSessionCookie-0=;") && $0.contains("Max-Age=0") })
            #expect(try await h.get("/manager/api/x", cookies: session).status == 401)
        }
    }

    @Test func expiredAccessTokensRefreshSilentlyAndRevokedSessionsEnd() async throws {
        try await EdgeHarness.with { h in
            let short = try await h.login(code: "short")
            let first = try await h.get("/manager/", cookies: short)
            #expect(first.status == 200 && first.header("x-served-by") == "manager-ui")
            #expect(h.counters.refreshCalls.load(ordering: .relaxed) == 1)
            #expect(first.headers("set-cookie").contains { $0.hasPrefix("AWSELBAuthSessionCookie-0=") && !$0.contains("Max-Age=0") })

            let revocable = try await h.login(code: "revocable")
            let refused = try await h.get("/manager/", cookies: revocable)
            #expect(refused.status == 302, "refresh refused: the session is over, log in again")
            #expect(refused.headers("set-cookie").contains { $0.hasPrefix("AWSELBAuthSessionCookie-0=;") })
            #expect(try await h.get("/manager/api/x", cookies: revocable).status == 401)
        }
    }

    @Test func targetFailuresMapToALBStatuses() async throws {
        try await EdgeHarness.with(configure: { config, manager, _ in
            var c = config.withTargets(EdgeConfig.managerTargetGroup, [manager])
            c.targetGroups["empty"] = .init(targets: [])
            c.targetGroups["refused"] = .init(targets: ["https://127.0.0.1:1"])
            c.targetGroups["plain"] = .init(targets: [manager.replacingOccurrences(of: "https", with: "http")])
            c.rules += [
                ListenerRule(priority: 1, conditions: [.pathPattern([.init("/e/*", caseSensitive: true)])], actions: [.forward(targetGroup: "empty")]),
                ListenerRule(priority: 2, conditions: [.pathPattern([.init("/r/*", caseSensitive: true)])], actions: [.forward(targetGroup: "refused")]),
                ListenerRule(priority: 3, conditions: [.pathPattern([.init("/p/*", caseSensitive: true)])], actions: [.forward(targetGroup: "plain")]),
                ListenerRule(priority: 4, conditions: [.pathPattern([.init("/t/*", caseSensitive: true)])], actions: [.forward(targetGroup: EdgeConfig.managerTargetGroup)]),
                ListenerRule(priority: 5, conditions: [.httpRequestMethod(["DELETE"])], actions: [.fixedResponse(.init(statusCode: 405, body: "nope"))]),
            ]
            return c
        }) { h in
            let noTargets = try await h.get("/e/x")
            #expect(noTargets.status == 503 && noTargets.header("server") == "awselb/2.0")
            #expect(try await h.get("/r/x").status == 502)
            #expect(try await h.get("/p/x").status == 502)
            let slow = try await h.get("/t/slow")
            #expect(slow.status == 504)
            #expect(slow.header("server-timing")?.contains("target;dur=") == true)
            #expect(try await h.get("/t/fast").status == 200)
            let fixed = try await h.get("/anything", method: .DELETE)
            #expect(fixed.status == 405 && fixed.body == "nope")
            let huge = try await h.get("/t/fast", headers: [("X-Big", String(repeating: "a", count: 20_000))])
            #expect(huge.status == 400)
        }
    }

    @Test func faultsMisrouteFailAndStallAsConfigured() async throws {
        try await EdgeHarness.with(configure: { config, manager, analytics in
            var c = config.withTargets(EdgeConfig.managerTargetGroup, [manager]).withTargets(EdgeConfig.analyticsTargetGroup, [analytics])
            c.faults = FaultConfig(misrouteFraction: 1)
            return c
        }) { h in
            let session = try await h.login(code: "manager")
            let misrouted = try await h.get("/manager/", cookies: session)
            #expect(misrouted.status == 200 && misrouted.header("x-served-by") == "analytics-ui", "every request misrouted")
        }
        try await EdgeHarness.with(configure: { config, manager, analytics in
            var c = config.withTargets(EdgeConfig.managerTargetGroup, [manager]).withTargets(EdgeConfig.analyticsTargetGroup, [analytics])
            c.faults = FaultConfig(errorFraction: 1, errorStatus: 503)
            return c
        }) { h in
            let session = try await h.login(code: "manager")
            let failed = try await h.get("/manager/", cookies: session)
            #expect(failed.status == 503 && failed.header("x-served-by") == nil)
            #expect(try await h.get("/manager/api/x").status == 401, "faults only touch forwarded requests")
        }
        try await EdgeHarness.with(configure: { config, manager, analytics in
            var c = config.withTargets(EdgeConfig.managerTargetGroup, [manager]).withTargets(EdgeConfig.analyticsTargetGroup, [analytics])
            // The first 1.5 s of every 10 minutes stall: the LB has just started, so the next forward waits.
            c.faults = FaultConfig(stallMs: 1500, stallEveryMs: 600_000)
            return c
        }) { h in
            let session = try await h.login(code: "manager")
            let start = ContinuousClock.now
            let stalled = try await h.get("/manager/", cookies: session)
            #expect(stalled.status == 200)
            #expect(ContinuousClock.now - start >= .milliseconds(200), "a request in a stall window waits")
            let timing = stalled.header("server-timing") ?? ""
            let target = Double(timing.split(separator: "target;dur=").last ?? "0") ?? 0
            #expect(target >= 200, "the stall counts as target time: \(timing)")
        }
    }

    @Test func malformedRequestsAre400() async throws {
        try await EdgeHarness.with { h in
            let noHost = try await h.get("/", headers: [("Host", "")])
            #expect(noHost.status == 400)
            let badHost = try await h.get("/", headers: [("Host", "a b@c")])
            #expect(badHost.status == 400)
        }
    }

    @Test func accessLogHasOneAWSLineEachRequest() async throws {
        let path = try await withLog { h in
            _ = try await h.get("/")
            let session = try await h.login(code: "manager")
            _ = try await h.get("/manager/x?y=1", cookies: session, headers: [("User-Agent", "edge-test/1.0")])
            _ = try await h.get("/manager/api/x")
        }
        let lines = path.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(lines.joined(separator: "\n"))")
        let regex = try NSRegularExpression(pattern: Self.athenaRegex)
        for line in lines {
            let match = regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line))
            #expect(match != nil && match?.range == NSRange(line.startIndex..., in: line), "\(line)")
        }
        let forwarded = try #require(lines.first { $0.contains("edge-test/1.0") })
        #expect(forwarded.hasPrefix("https "))
        #expect(forwarded.contains(#" 200 200 "#))
        #expect(forwarded.contains(#""authenticate,forward""#))
        #expect(forwarded.contains("targetgroup/manager-ui/"))
        #expect(forwarded.contains(" TLSv1.3 ") || forwarded.contains(" TLSv1.2 "))
        #expect(lines.contains { $0.contains(" 401 - ") })
    }

    @Test func accessLogNamesTheCipherAndAlwaysThePort() async throws {
        let captured = LogCapture()
        let text = try await withLog { h in
            captured.path.withLock { $0 = String(h.lbPort) }
            _ = try await h.get("/", headers: [("Host", "evil.example.com")])
            _ = try await h.get("/", headers: [("Host", "evil.example.com:8443")])
            _ = try await h.get("/x?y=1")
            _ = try await h.get("/manager/api/x")
            _ = try await h.get("/manager/api/y")
        }
        let lines = text.split(separator: "\n").map(String.init)
        let lbPort = captured.path.withLock { $0 }
        #expect(lines.contains { $0.contains("\"GET https://evil.example.com:\(lbPort)/ HTTP/1.1\"") }, "\(text)")
        #expect(lines.contains { $0.contains("\"GET https://evil.example.com:8443/ HTTP/1.1\"") }, "\(text)")
        #expect(lines.contains { $0.contains("\"GET https://127.0.0.1:\(lbPort)/x?y=1 HTTP/1.1\"") }, "\(text)")
        // Field 15 is ssl_cipher, 16 ssl_protocol (after the quoted request and user agent).
        let regex = try NSRegularExpression(pattern: Self.athenaRegex)
        for line in lines {
            let match = try #require(regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)), "\(line)")
            let cipher = String(line[Range(match.range(at: 19), in: line)!])
            let version = String(line[Range(match.range(at: 20), in: line)!])
            #expect(["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"].contains(cipher) || cipher.hasPrefix("ECDHE-"), "\(line)")
            #expect(version == "TLSv1.3" || version == "TLSv1.2", "\(line)")
        }
        #expect(lines.count == 5)
    }

    /// AWS's documented Athena RegexSerDe pattern for ALB access logs (with classification and conn_trace_id).
    static let athenaRegex = #"([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*):([0-9]*) ([^ ]*)[:-]([0-9]*) ([-.0-9]*) ([-.0-9]*) ([-.0-9]*) (|[-0-9]*) (-|[-0-9]*) ([-0-9]*) ([-0-9]*) \"([^ ]*) (.*) (- |[^ ]*)\" \"([^\"]*)\" ([A-Z0-9-_]+) ([A-Za-z0-9.-]*) ([^ ]*) \"([^\"]*)\" \"([^\"]*)\" \"([^\"]*)\" ([-.0-9]*) ([^ ]*) \"([^\"]*)\" \"([^\"]*)\" \"([^ ]*)\" \"([^\s]+?)\" \"([^\s]+)\" \"([^ ]*)\" \"([^ ]*)\" ?([^ ]*)? ?( .*)?"#

    /// Runs `body`, stops the LB (flushing its log) and returns the log's contents.
    private func withLog(_ body: @Sendable (EdgeHarness) async throws -> Void) async throws -> String {
        let captured = LogCapture()
        try await EdgeHarness.with { h in
            try await body(h)
            captured.path.withLock { $0 = h.accessLogPath }
            // Give the writer thread a moment; it flushes on every batch.
            for _ in 0..<50 where (try? String(contentsOfFile: h.accessLogPath, encoding: .utf8))?.split(separator: "\n").count ?? 0 < 5 {
                try await Task.sleep(for: .milliseconds(20))
            }
            captured.text.withLock { $0 = (try? String(contentsOfFile: h.accessLogPath, encoding: .utf8)) ?? "" }
        }
        return captured.text.withLock { $0 }
    }
}

import Synchronization
final class LogCapture: Sendable {
    let path = Mutex<String>("")
    let text = Mutex<String>("")
}
