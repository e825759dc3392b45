import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import NIOCore
import SharedPrimitives
import StackSupport
import Testing
import _CryptoExtras
import StackUpload

/// The gateway through Hummingbird's router test mode: every status of issue 5's "Done when".
@Suite("Upload gateway")
struct UploadGatewayTests {
    static let demoKey = UploadConfig.demoAPIKeys(seed: "42", count: 1)[0].value

    /// Runs `body` against a gateway over a fresh store, then closes and removes everything.
    func withGateway(
        config: UploadConfig = UploadConfig(), jwks: String? = nil, clock: (@Sendable () -> Double)? = nil,
        _ body: @Sendable (any TestClientProtocol, EventStore, TemporaryStateDirectory) async throws -> Void
    ) async throws {
        let dir = TemporaryStateDirectory("gateway")
        defer { dir.cleanUp() }
        let store = try EventStore(directory: dir.path)
        let gateway: UploadGateway
        if let clock {
            gateway = try await UploadGateway(config: config, store: store, jwks: jwks, clock: clock)
        } else {
            gateway = try await UploadGateway(config: config, store: store, jwks: jwks)
        }
        let app = Application(router: gateway.buildRouter())
        do {
            try await app.test(.router) { client in try await body(client, store, dir) }
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    func post(
        _ client: some TestClientProtocol, _ body: [UInt8], contentType: String = "application/x-ndjson",
        key: String? = demoKey, extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        headers[.contentType] = contentType
        if let key { headers[HTTPField.Name("x-api-key")!] = key }
        return try await client.execute(uri: "/v1/events", method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }

    func json(_ response: TestResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
    }

    func ndjson(_ count: Int, prefix: String, marker: String = "") -> [UInt8] {
        Array(sampleEvents(count, prefix: prefix, marker: marker).joined(separator: "\n").utf8)
    }

    @Test("1,000 NDJSON events, then the same gzip-compressed, then a JSON array: 202 with count, batch and offset")
    func accepted() async throws {
        try await withGateway { client, store, _ in
            let plain = try await post(client, ndjson(1000, prefix: "p"))
            #expect(plain.status == .accepted)
            let first = json(plain)
            #expect(first["accepted"] as? Int == 1000 && first["offset"] as? Int == 0)
            #expect((first["batch"] as? String)?.count == 32)
            let gzipped = try await post(client, gzipCompress(ndjson(1000, prefix: "z")), extra: [.contentEncoding: "gzip"])
            #expect(gzipped.status == .accepted)
            #expect(json(gzipped)["offset"] as? Int == 1000)
            let array = "[" + sampleEvents(3, prefix: "arr").joined(separator: ",") + "]"
            let arrayResponse = try await post(client, Array(array.utf8), contentType: "application/json; charset=utf-8")
            #expect(arrayResponse.status == .accepted && json(arrayResponse)["accepted"] as? Int == 3)
            #expect(store.eventCount == 2003)
            // Searchable as soon as acknowledged.
            #expect(try store.search(term: "z-999", limit: 10).count == 1)
        }
    }

    @Test("Content-Encoding deflate, zlib-wrapped (RFC 9110) or raw as some clients send it, and gzip members")
    func deflate() async throws {
        try await withGateway { client, store, _ in
            for (i, format) in [Zlib.Format.zlib, .raw].enumerated() {
                let body = zlibCompress(ndjson(20, prefix: "d\(i)"), format: format)
                let response = try await post(client, body, extra: [.contentEncoding: "deflate"])
                #expect(response.status == .accepted, "\(format)")
            }
            // Two concatenated gzip members are one valid gzip body.
            let members = gzipCompress(ndjson(5, prefix: "m1") + Array("\n".utf8)) + gzipCompress(ndjson(5, prefix: "m2"))
            let response = try await post(client, members, extra: [.contentEncoding: "gzip"])
            #expect(response.status == .accepted && json(response)["accepted"] as? Int == 10)
            #expect(store.eventCount == 50)
        }
    }

    @Test("freshness: every acknowledged batch is searchable the moment its 202 arrives")
    func freshness() async throws {
        try await withGateway { client, store, _ in
            var worst = Duration.zero
            for b in 0..<20 {
                let response = try await post(client, ndjson(50, prefix: "fresh\(b)"))
                #expect(response.status == .accepted)
                let acked = ContinuousClock.now
                let found = try store.search(term: "fresh\(b)-49", limit: 1)
                worst = max(worst, ContinuousClock.now - acked)
                #expect(found.count == 1, "batch \(b) not searchable right after its 202")
            }
            #expect(worst < .seconds(1))
        }
    }

    @Test("no API key or an unknown one: 403 {\"message\":\"Forbidden\"}")
    func forbidden() async throws {
        try await withGateway { client, store, _ in
            for key in [nil, "not-a-key"] {
                let response = try await post(client, ndjson(1, prefix: "f"), key: key)
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body) == "{\"message\":\"Forbidden\"}")
                #expect(response.headers[HTTPField.Name("x-amzn-ErrorType")!] == "ForbiddenException")
            }
            #expect(store.eventCount == 0)
        }
    }

    @Test("Bearer tokens: a valid upload-scoped access token passes; bad, expired, wrong-scope or missing ones get 401")
    func bearer() async throws {
        let signingKey = try Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        let (n, e) = try signingKey.publicKey.getKeyPrimitives()
        func b64url(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let jwks = "{\"keys\":[{\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"kid\":\"k1\",\"n\":\"\(b64url(n))\",\"e\":\"\(b64url(e))\"}]}"
        let signer = JWTKeyCollection()
        await signer.add(rsa: signingKey, digestAlgorithm: .sha256, kid: "k1")
        func token(scope: String, use: String = "access", expiresIn: Double = 3600) async throws -> String {
            try await signer.sign(
                TestAccessToken(
                    exp: .init(value: Date().addingTimeInterval(expiresIn)), iss: "https://idp.test/pool",
                    tokenUse: use, scope: scope, clientID: "uploader"), kid: "k1")
        }
        var config = UploadConfig()
        config.requireBearer = true
        config.issuer = "https://idp.test/pool"
        let good = try await token(scope: "openid gauntlet-upload/events.write")
        let wrongScope = try await token(scope: "gauntlet/read")
        let expired = try await token(scope: "gauntlet-upload/events.write", expiresIn: -60)
        let idToken = try await token(scope: "gauntlet-upload/events.write", use: "id")
        try await withGateway(config: config, jwks: jwks) { client, store, _ in
            let ok = try await post(client, ndjson(2, prefix: "b"), extra: [.authorization: "Bearer \(good)"])
            #expect(ok.status == .accepted)
            for header in [nil, "Bearer not.a.jwt", "Bearer \(wrongScope)", "Bearer \(expired)", "Bearer \(idToken)", "Basic dXNlcjpwYXNz",
                "Bearer \(good.dropLast(4))AAAA"] {
                var extra = HTTPFields()
                if let header { extra[.authorization] = header }
                let response = try await post(client, ndjson(1, prefix: "x"), extra: extra)
                #expect(response.status == .unauthorized, "\(header ?? "no header")")
                #expect(String(buffer: response.body) == "{\"message\":\"Unauthorized\"}")
            }
            #expect(store.eventCount == 2)
        }
        // Not required, but sent: still verified.
        try await withGateway(jwks: jwks) { client, _, _ in
            let response1 = try await post(client, ndjson(1, prefix: "x"), extra: [.authorization: "Bearer junk"])
            #expect(response1.status == .unauthorized)
            let response2 = try await post(client, ndjson(1, prefix: "x"))
            #expect(response2.status == .accepted)
        }
    }

    @Test("10 MB + 1 byte: 413, whether sent plain or as gzip that inflates past the cap")
    func tooLarge() async throws {
        try await withGateway { client, store, _ in
            let head: [UInt8] = Array("{\"source\":\"big\",\"pad\":\"".utf8)
            let padding: Int = 10 * 1024 * 1024 + 1 - head.count - 2
            var body: [UInt8] = head
            body.append(contentsOf: [UInt8](repeating: 0x61, count: padding))
            body.append(contentsOf: Array("\"}".utf8))
            let expectedSize: Int = 10_485_761
            #expect(body.count == expectedSize)
            let plain = try await post(client, body)
            #expect(plain.status == .contentTooLarge)
            let bomb = gzipCompress(body)
            #expect(bomb.count < 100_000)
            let inflated = try await post(client, bomb, extra: [.contentEncoding: "gzip"])
            #expect(inflated.status == .contentTooLarge)
            #expect(store.eventCount == 0)
        }
    }

    @Test("a corrupt gzip body, an unknown encoding or a wrong content type: 415")
    func unsupportedMediaType() async throws {
        try await withGateway { client, store, _ in
            var corrupt = gzipCompress(ndjson(100, prefix: "c"))
            corrupt[corrupt.count / 2] ^= 0xFF
            corrupt[corrupt.count / 2 + 1] ^= 0xFF
            let response3 = try await post(client, corrupt, extra: [.contentEncoding: "gzip"])
            #expect(response3.status == .unsupportedMediaType)
            let truncated = Array(gzipCompress(ndjson(100, prefix: "c")).prefix(40))
            let response4 = try await post(client, truncated, extra: [.contentEncoding: "gzip"])
            #expect(response4.status == .unsupportedMediaType)
            let response5 = try await post(client, ndjson(1, prefix: "c"), extra: [.contentEncoding: "br"])
            #expect(response5.status == .unsupportedMediaType)
            let response6 = try await post(client, ndjson(1, prefix: "c"), contentType: "text/plain")
            #expect(response6.status == .unsupportedMediaType)
            #expect(store.eventCount == 0)
            let deflated = try await post(client, ndjson(1, prefix: "c"), extra: [.contentEncoding: "identity"])
            #expect(deflated.status == .accepted)
        }
    }

    @Test("an invalid event on line 17: 400 naming line 17, and nothing of that batch stored")
    func badLine() async throws {
        try await withGateway { client, store, _ in
            var lines = sampleEvents(30, prefix: "l")
            lines[16] = "{\"id\":\"l-16\",\"msg\":\"no source\"}"
            let response = try await post(client, Array(lines.joined(separator: "\n").utf8))
            #expect(response.status == .badRequest)
            let body = json(response)
            #expect(body["line"] as? Int == 17)
            #expect((body["message"] as? String)?.contains("line 17: missing \"source\"") == true)
            #expect(store.eventCount == 0)
            let array = "[" + sampleEvents(3, prefix: "a").joined(separator: ",") + ",\"oops\"]"
            let arrayResponse = try await post(client, Array(array.utf8), contentType: "application/json")
            #expect(arrayResponse.status == .badRequest && json(arrayResponse)["index"] as? Int == 3)
            #expect(store.eventCount == 0)
        }
    }

    @Test("a burst beyond the bucket: 429 with Retry-After, and the bucket refills at the rate")
    func throttled() async throws {
        let clock = ManualSeconds()
        var config = UploadConfig()
        config.rateLimit = 2
        config.burstLimit = 3
        try await withGateway(config: config, clock: { clock.value }) { client, store, _ in
            for _ in 0..<3 {
                let response = try await post(client, ndjson(1, prefix: "r"))
                #expect(response.status == .accepted)
            }
            let refused = try await post(client, ndjson(1, prefix: "r"))
            #expect(refused.status == .tooManyRequests)
            #expect(String(buffer: refused.body) == "{\"message\":\"Too Many Requests\"}")
            #expect(refused.headers[.retryAfter] == "1")
            // Buckets are per key: another demo key still has its burst.
            let other = UploadConfig.demoAPIKeys(seed: "42", count: 2)[1].value
            let response7 = try await post(client, ndjson(1, prefix: "r"), key: other)
            #expect(response7.status == .accepted)
            clock.value += 0.5
            let response8 = try await post(client, ndjson(1, prefix: "r"))
            #expect(response8.status == .accepted)
            #expect(store.eventCount == 5)
        }
    }

    @Test("the same Idempotency-Key twice: both 202 with the same batch, stored once; another body with it: 409")
    func idempotency() async throws {
        try await withGateway { client, store, _ in
            let body = ndjson(10, prefix: "i")
            let first = try await post(client, body, extra: [HTTPField.Name("Idempotency-Key")!: "batch-42"])
            let second = try await post(client, body, extra: [HTTPField.Name("Idempotency-Key")!: "batch-42"])
            #expect(first.status == .accepted && second.status == .accepted)
            #expect(json(first)["batch"] as? String == json(second)["batch"] as? String)
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(store.eventCount == 10)
            let other = try await post(client, ndjson(2, prefix: "j"), extra: [HTTPField.Name("Idempotency-Key")!: "batch-42"])
            #expect(other.status == .conflict)
            #expect(store.eventCount == 10)
        }
    }

    @Test("request line + headers over 10,240 bytes: 431")
    func headersTooLarge() async throws {
        try await withGateway { client, _, _ in
            let response = try await post(client, ndjson(1, prefix: "h"), extra: [HTTPField.Name("x-padding")!: String(repeating: "p", count: 10_300)])
            #expect(response.status == .requestHeaderFieldsTooLarge)
        }
    }

    @Test("an undefined path or method: 403 Missing Authentication Token, as API Gateway answers")
    func missingRoute() async throws {
        try await withGateway { client, _, _ in
            let wrongPath = try await client.execute(uri: "/v2/events", method: .post, headers: [:], body: ByteBuffer(string: "{}"))
            #expect(wrongPath.status == .forbidden)
            #expect(String(buffer: wrongPath.body) == "{\"message\":\"Missing Authentication Token\"}")
            let wrongMethod = try await client.execute(uri: "/v1/events", method: .get, headers: [:])
            #expect(wrongMethod.status == .forbidden)
        }
    }

    @Test("uploads through the gateway leave no marker byte in the state dir")
    func encryptedAtRest() async throws {
        let marker = "GAUNTLET-MARKER-\(UUID().uuidString)"
        try await withGateway { client, store, dir in
            for b in 0..<5 {
                let body = gzipCompress(ndjson(200, prefix: "m\(b)", marker: marker))
                let response9 = try await post(client, body, extra: [.contentEncoding: "gzip", HTTPField.Name("Idempotency-Key")!: "\(marker)-\(b)"])
                #expect(response9.status == .accepted)
            }
            #expect(try store.search(term: marker, limit: 2000).count == 1000)
            #expect(!dir.allFiles().isEmpty)
            #expect(dir.filesContaining(marker).isEmpty)
        }
    }

    @Test("config: YAML-style keys decode with defaults; bad values name the field")
    func config() throws {
        let decoded = try JSONDecoder().decode(UploadConfig.self, from: Data("{\"rate_limit\":5,\"require_bearer\":true}".utf8))
        #expect(decoded.rateLimit == 5 && decoded.requireBearer && decoded.maxBodyBytes == 10 * 1024 * 1024)
        #expect(decoded.allAPIKeys(stackSeed: 42).count == 3 && decoded.allAPIKeys(stackSeed: 42)[0].value.count == 40)
        #expect(decoded.allAPIKeys(stackSeed: 42) != decoded.allAPIKeys(stackSeed: 43))
        #expect(UploadConfig.demoAPIKeys(seed: "s", count: 2) == UploadConfig.demoAPIKeys(seed: "s", count: 2))
        #expect(UploadConfig.demoAPIKeys(seed: "s", count: 1) != UploadConfig.demoAPIKeys(seed: "t", count: 1))
        let bad = #expect(throws: StackConfigError.self) {
            _ = try StackConfigLoader.decode(UploadConfig.self, yaml: "rate_limit: 5\nburst_limit: 0\n")
        }
        #expect(bad?.line == 2 && bad?.path.contains("burst_limit") == true && bad?.message.contains("must be >= 1") == true)
        let unknown = #expect(throws: StackConfigError.self) {
            _ = try StackConfigLoader.decode(UploadConfig.self, yaml: "rate_limit: 5\nburts_limit: 3\n")
        }
        #expect(unknown?.line == 2 && unknown?.message.contains("unknown key 'burts_limit'") == true)
    }
}

/// A Cognito-shaped access token for signing in tests.
struct TestAccessToken: JWTPayload {
    var exp: ExpirationClaim
    var iss: IssuerClaim
    var tokenUse: String
    var scope: String
    var clientID: String

    enum CodingKeys: String, CodingKey {
        case exp, iss, scope
        case tokenUse = "token_use"
        case clientID = "client_id"
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

final class ManualSeconds: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 1000.0
    var value: Double {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }
}
