import Crypto
import Foundation
import Testing

@testable import StackEdge

/// The LB's per-request work done without Foundation's formatters: each helper against what it replaced.
@Suite("edge hot path")
struct EdgeHotPathTests {
    @Test("fixed-point and hex formats print what String(format:) printed")
    func formatsMatchFoundation() {
        for value in [0, 0.0004, 0.001, 0.1234, 1, 12.3456, 999.9994, 1234.5, -0.25] {
            #expect(LogFormat.fixed3(value) == String(format: "%.3f", value), "\(value)")
        }
        #expect(LogFormat.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(LogFormat.hex(0x5f3c2b1a, width: 8) == "5f3c2b1a")
        #expect(LogFormat.hex(0x1a, width: 8) == "0000001a")
        let random = LogFormat.randomHex(bytes: 16)
        #expect(random.count == 32 && random.allSatisfy(\.isHexDigit))
        #expect(LogFormat.randomHex(bytes: 16) != random)
        let date = Date(timeIntervalSince1970: 1_764_720_123.000_456)
        #expect(LogFormat.timestamp(date) == "2025-12-03T00:02:03.000456Z")
    }

    @Test("cookie parsing on bytes: trimming, first occurrence wins, values with '=' kept whole")
    func cookieParsing() {
        let jar = SessionCookieCodec.parseCookies(["a=1; b=x=y ;\tc=3", "a=2; ; junk; d="])
        #expect(jar == ["a": "1", "b": "x=y", "c": "3", "d": ""])
        let shards = SessionCookieCodec.parseCookies(["AWSELBAuthSessionCookie-1=world; AWSELBAuthSessionCookie-0=hello"])
        #expect(SessionCookieCodec.sealedSession(in: shards) == "helloworld")
        #expect(SessionCookieCodec.sealedSession(in: ["AWSELBAuthSessionCookie-1": "orphan"]) == nil)
    }

    @Test("wildcards match bytes and scalars alike, case-folded only where ALB folds")
    func wildcardFastPath() {
        let path = WildcardPattern("/manager/*", caseSensitive: true)
        #expect(path.matches("/manager/api/users"))
        #expect(!path.matches("/Manager/api"))
        #expect(path.matches("/manager/é"), "non-ASCII text takes the scalar path")
        let host = WildcardPattern("*.Example.test", caseSensitive: false)
        #expect(host.matches("A.EXAMPLE.TEST"))
        #expect(!host.matches("example.test"))
        let one = WildcardPattern("/?", caseSensitive: true)
        #expect(one.matches("/é") && !one.matches("/ab"), "? is one character, not one byte")
    }

    @Test("a ServerHello gives the protocol and the cipher in OpenSSL's names")
    func serverHelloFacts() {
        func hello(suite: UInt16, supportedVersion: UInt16?) -> [UInt8] {
            var extensions: [UInt8] = [0x00, 0x0b, 0x00, 0x02, 0x01, 0x00] // ec_point_formats, to be skipped
            if let supportedVersion { extensions += [0x00, 0x2b, 0x00, 0x02, UInt8(supportedVersion >> 8), UInt8(supportedVersion & 0xff)] }
            var body: [UInt8] = [0x03, 0x03] + [UInt8](repeating: 7, count: 32) + [0x20] + [UInt8](repeating: 9, count: 32)
            body += [UInt8(suite >> 8), UInt8(suite & 0xff), 0x00, UInt8(extensions.count >> 8), UInt8(extensions.count & 0xff)] + extensions
            let handshake: [UInt8] = [0x02, 0x00, UInt8(body.count >> 8), UInt8(body.count & 0xff)] + body
            return [0x16, 0x03, 0x03, UInt8(handshake.count >> 8), UInt8(handshake.count & 0xff)] + handshake
        }
        let tls13 = TLSHandshakeFacts.parseServerHello(hello(suite: 0x1301, supportedVersion: 0x0304))
        #expect(tls13 == TLSHandshakeFacts(protocolName: "TLSv1.3", cipherName: "TLS_AES_128_GCM_SHA256", cipherSuite: 0x1301))
        let tls12 = TLSHandshakeFacts.parseServerHello(hello(suite: 0xC02B, supportedVersion: nil))
        #expect(tls12?.protocolName == "TLSv1.2" && tls12?.cipherName == "ECDHE-ECDSA-AES128-GCM-SHA256")
        let whole = hello(suite: 0x1302, supportedVersion: 0x0304)
        #expect(TLSHandshakeFacts.parseServerHello(Array(whole.prefix(40))) == nil, "a partial record is not parsed yet")
        #expect(TLSHandshakeFacts.parseServerHello([0x17, 0x03, 0x03, 0x00, 0x01, 0x00]) == nil, "application data is no ServerHello")
        #expect(TLSHandshakeFacts.parseServerHello(hello(suite: 0x1234, supportedVersion: 0x0304))?.cipherName == nil)
    }

    @Test("the session cache: kept until the TTL or the access token's expiry, bounded by its capacity")
    func sessionCache() {
        func session(_ n: Int, accessExpires: Int = 10_000) -> EdgeSession {
            EdgeSession(subject: "u\(n)", groups: ["managers"], accessToken: "at", idToken: nil, refreshToken: "rt",
                        accessExpiresAt: accessExpires, sessionExpiresAt: 20_000, userInfoJSON: "{}")
        }
        func key(_ n: Int) -> SHA256Digest { SessionCache.key(sealed: "sealed-\(n)") }
        var cache = SessionCacheState(capacity: 3, ttl: 60)
        cache.store(key(1), session: session(1), now: 1000)
        #expect(cache.lookup(key(1), now: 1059)?.session.subject == "u1")
        #expect(cache.lookup(key(1), now: 1060) == nil, "past the TTL")
        cache.store(key(2), session: session(2, accessExpires: 1010), now: 1000)
        #expect(cache.lookup(key(2), now: 1009) != nil)
        #expect(cache.lookup(key(2), now: 1010) == nil, "never past the access token's expiry")
        cache.attach(oidcData: "signed", to: key(1))
        #expect(cache.lookup(key(1), now: 1001)?.oidcData == "signed")
        for n in 3...10 { cache.store(key(n), session: session(n), now: 1001) }
        #expect(cache.entries.count <= 3)
        #expect(cache.lookup(key(10), now: 1002) != nil, "the newest entry is always kept")
        var off = SessionCacheState(capacity: 0, ttl: 60)
        off.store(key(1), session: session(1), now: 1000)
        #expect(off.entries.isEmpty)
    }

    @Test("config: the new limits decode, default, and are refused out of range with the field named")
    func configLimits() throws {
        let config = EdgeConfig()
        #expect(config.targetMaxConnections == 128 && config.targetMaxQueued == 256 && config.targetConnectionWait == 0.05)
        #expect(config.sessionCacheSize == 10_000 && config.sessionCacheTTL == 60)
        var bad = config
        bad.targetMaxConnections = 0
        #expect(throws: EdgeConfigError.invalidValue(field: "target_max_connections", value: "0", expected: "1…100000 connections per target group")) {
            try bad.validate()
        }
        bad = config
        bad.targetConnectionWait = 60
        #expect(throws: EdgeConfigError.self) { try bad.validate() }
    }
}
