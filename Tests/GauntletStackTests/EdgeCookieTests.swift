import Crypto
import Foundation
import StackSupport
import Testing

@testable import StackEdge

@Suite("Session cookies")
struct EdgeCookieTests {
    static func session(now: Int, userInfoPadding: Int = 0) -> EdgeSession {
        EdgeSession(subject: "u-123", groups: ["managers"], accessToken: "at." + String(repeating: "a", count: 1200), idToken: "it",
                    refreshToken: "rt", accessExpiresAt: now + 60, sessionExpiresAt: now + 3600,
                    userInfoJSON: #"{"sub":"u-123","email":"m@example.test","pad":"\#(String(repeating: "p", count: userInfoPadding))"}"#)
    }

    static func jar(from setCookies: [String]) -> [String: String] {
        SessionCookieCodec.parseCookies(setCookies.map { String($0.prefix { $0 != ";" }) })
    }

    @Test func roundTripsAndShardsOver4KB() throws {
        let codec = SessionCookieCodec(loadBalancerName: "lb")
        let now = 1_800_000_000
        let small = try codec.setCookieHeaders(for: Self.session(now: now), now: now)
        #expect(small.count == 1)
        #expect(small[0].hasPrefix("AWSELBAuthSessionCookie-0="))
        #expect(small[0].contains("; Secure") && small[0].contains("; HttpOnly"))
        #expect(codec.decodeSession(from: Self.jar(from: small), now: now) == Self.session(now: now))

        let big = Self.session(now: now, userInfoPadding: 9000)
        let sharded = try codec.setCookieHeaders(for: big, now: now)
        #expect(sharded.count >= 3)
        for (i, header) in sharded.enumerated() {
            #expect(header.hasPrefix("AWSELBAuthSessionCookie-\(i)="))
            #expect(header.utf8.count < 4096)
        }
        #expect(codec.decodeSession(from: Self.jar(from: sharded), now: now) == big)

        // Shrinking the session expires the shards the browser no longer needs.
        let shrunk = try codec.setCookieHeaders(for: Self.session(now: now), now: now, previousShardCount: sharded.count)
        #expect(shrunk.count == sharded.count)
        #expect(shrunk.dropFirst().allSatisfy { $0.contains("Max-Age=0") })
    }

    @Test func tamperedTruncatedForeignAndExpiredCookiesAreNoSession() throws {
        let codec = SessionCookieCodec(loadBalancerName: "lb")
        let now = 1_800_000_000
        let big = Self.session(now: now, userInfoPadding: 6000)
        var jar = Self.jar(from: try codec.setCookieHeaders(for: big, now: now))
        #expect(codec.decodeSession(from: jar, now: now) != nil)

        var flipped = Array(jar["AWSELBAuthSessionCookie-0"]!)
        flipped[40] = flipped[40] == "A" ? "B" : "A"
        var tampered = jar
        tampered["AWSELBAuthSessionCookie-0"] = String(flipped)
        #expect(codec.decodeSession(from: tampered, now: now) == nil)

        var truncated = jar
        truncated.removeValue(forKey: "AWSELBAuthSessionCookie-1")
        #expect(codec.decodeSession(from: truncated, now: now) == nil)

        jar["AWSELBAuthSessionCookie-0"] = "not base64 at all!"
        #expect(codec.decodeSession(from: jar, now: now) == nil)

        let fresh = Self.jar(from: try codec.setCookieHeaders(for: Self.session(now: now), now: now))
        #expect(SessionCookieCodec(loadBalancerName: "lb").decodeSession(from: fresh, now: now) == nil, "another LB's key")
        #expect(SessionCookieCodec(loadBalancerName: "other").decodeSession(from: fresh, now: now) == nil)
        #expect(codec.decodeSession(from: fresh, now: now + 3599) != nil)
        #expect(codec.decodeSession(from: fresh, now: now + 3600) == nil, "past the session timeout")
        #expect(Self.session(now: now).accessTokenExpired(now: now + 60))
    }

    @Test func loginStateIsBoundAndExpires() throws {
        let codec = SessionCookieCodec(loadBalancerName: "lb")
        let now = Int(Date().timeIntervalSince1970)
        let state = LoginState(state: "abc", originalURL: "https://h/manager/", expiresAt: now + 900, sessionTimeout: 60)
        let jar = Self.jar(from: [try codec.nonceCookie(for: state)])
        #expect(codec.decodeLoginState(from: jar, now: now) == state)
        #expect(codec.decodeLoginState(from: jar, now: now + 900) == nil)
        #expect(codec.decodeLoginState(from: ["AWSELBAuthNonce": "x"], now: now) == nil)
    }

    @Test func parsesCookieHeaders() {
        let jar = SessionCookieCodec.parseCookies(["a=1; b=two=2", "c=3;a=9"])
        #expect(jar == ["a": "1", "b": "two=2", "c": "3"])
    }
}

@Suite("x-amzn-oidc-data")
struct EdgeOIDCDataTests {
    /// Checks the token the way a backend (or AWS's sample code) would: split, padded base64url, ES256 over
    /// `header.payload` with a key loaded from the published PEM.
    @Test func signsAsALBDoes() throws {
        let signer = OIDCDataSigner(signer: "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/lb/0123",
                                    issuer: "https://auth.example.test", clientID: "client-1")
        let token = try signer.sign(userInfoJSON: #"{"sub":"u-1","email":"a@b.test","username":"alice"}"#, expiresAt: 1_900_000_000)
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        #expect(parts.count == 3)
        #expect(parts.allSatisfy { $0.utf8.count % 4 == 0 }, "padded base64url")
        #expect(parts.allSatisfy { !$0.contains("+") && !$0.contains("/") })

        let headerBytes = try #require(Base64URL.decode(parts[0]))
        let header = try #require(try JSONSerialization.jsonObject(with: headerBytes) as? [String: Any])
        #expect(header["alg"] as? String == "ES256")
        #expect(header["typ"] as? String == "JWT")
        #expect(header["kid"] as? String == signer.keyID)
        #expect(header["signer"] as? String == signer.signer)
        #expect(header["iss"] as? String == "https://auth.example.test")
        #expect(header["client"] as? String == "client-1")
        #expect(header["exp"] as? Int == 1_900_000_000)

        let payloadBytes = try #require(Base64URL.decode(parts[1]))
        let payload = try #require(try JSONSerialization.jsonObject(with: payloadBytes) as? [String: Any])
        #expect(payload["sub"] as? String == "u-1")
        #expect(payload["username"] as? String == "alice")
        #expect(payload["exp"] as? Int == 1_900_000_000)

        let rawSignature = try #require(Base64URL.decode(parts[2]))
        #expect(rawSignature.count == 64, "raw r‖s, not DER")
        let key = try P256.Signing.PublicKey(pemRepresentation: signer.publicKeyPEM)
        let signature = try P256.Signing.ECDSASignature(rawRepresentation: rawSignature)
        #expect(key.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8)))
        #expect(!key.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])x".utf8)))
    }

    @Test func rejectsNonObjectUserInfo() {
        let signer = OIDCDataSigner(signer: "s", issuer: "i", clientID: "c")
        #expect(throws: OIDCDataSigner.SigningError.self) { try signer.sign(userInfoJSON: "[1,2]", expiresAt: 1) }
    }
}

@Suite("Access log lines")
struct EdgeAccessLogLineTests {
    @Test func rendersEveryFieldInOrder() {
        var entry = AccessLogEntry(
            time: Date(timeIntervalSince1970: 1_800_000_000.25), elb: "app/lb/abc", clientAddress: "127.0.0.1", clientPort: 5555,
            elbStatusCode: 200, receivedBytes: 120, sentBytes: 900, method: "GET", url: "https://h:8443/manager/?q=\"x y\"",
            traceID: "Root=1-00000000-000000000000000000000000", requestCreationTime: Date(timeIntervalSince1970: 1_800_000_000),
            actionsExecuted: ["authenticate", "forward"], connTraceID: "TID_0011")
        entry.target = "127.0.0.1:9001"
        entry.targetStatusCode = 200
        entry.requestProcessingTime = 0.001
        entry.targetProcessingTime = 0.0042
        entry.responseProcessingTime = 0
        entry.userAgent = "curl/8.0"
        entry.sslProtocol = "TLSv1.3"
        entry.matchedRulePriority = 30
        let line = entry.line
        #expect(line.hasPrefix("https 2027-01-15T08:00:00.250000Z app/lb/abc 127.0.0.1:5555 127.0.0.1:9001 0.001 0.004 0.000 200 200 120 900 "))
        #expect(line.contains(#""GET https://h:8443/manager/?q=\"x y\" HTTP/1.1" "curl/8.0" - TLSv1.3 - "Root=1-"#))
        #expect(line.hasSuffix(#" 30 2027-01-15T08:00:00.000000Z "authenticate,forward" "-" "-" "127.0.0.1:9001" "200" "-" "-" TID_0011"#))
        #expect(!line.contains("\n"))
    }
}
