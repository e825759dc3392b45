import AsyncHTTPClient
import Crypto
import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import ServiceLifecycle
import SwiftASN1
import Synchronization
import X509

import StackSupport
@testable import StackEdge

/// A throwaway CA and one server certificate for 127.0.0.1 / localhost / the LB's name, made per test run.
struct EdgeTestPKI: Sendable {
    let caCertificate: NIOSSLCertificate
    let serverCertificate: NIOSSLCertificate
    let serverKey: NIOSSLPrivateKey

    static let shared: EdgeTestPKI = try! EdgeTestPKI()

    init() throws {
        let now = Date()
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName("Gauntlet edge test CA") }
        let ca = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 86400, issuer: caName, subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true))
            },
            issuerPrivateKey: .init(caKey))
        let leafKey = P256.Signing.PrivateKey()
        let leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(leafKey.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 86400, issuer: caName,
            subject: try DistinguishedName { CommonName("127.0.0.1") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                SubjectAlternativeNames([
                    .dnsName("localhost"), .dnsName("example.logs.gauntlet.test"),
                    .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                ])
                try ExtendedKeyUsage([.serverAuth])
            },
            issuerPrivateKey: .init(caKey))
        func der(_ certificate: Certificate) throws -> [UInt8] {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return serializer.serializedBytes
        }
        caCertificate = try NIOSSLCertificate(bytes: der(ca), format: .der)
        serverCertificate = try NIOSSLCertificate(bytes: der(leaf), format: .der)
        serverKey = try NIOSSLPrivateKey(bytes: Array(leafKey.derRepresentation), format: .der)
    }

    var server: TLSConfiguration {
        var config = TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(serverCertificate)], privateKey: .privateKey(serverKey))
        config.minimumTLSVersion = .tlsv12
        return config
    }

    var client: TLSConfiguration {
        var config = TLSConfiguration.makeClientConfiguration()
        config.trustRoots = .certificates([caCertificate])
        return config
    }

    var edgeTLS: EdgeTLS { EdgeTLS(listener: server, upstream: client) }
}

/// Collects ports reported by `onServerRunning` callbacks.
final class PortWaiter: Sendable {
    private let state = Mutex<(port: Int?, waiters: [CheckedContinuation<Int, Never>])>((nil, []))

    func set(_ port: Int) {
        let waiters = state.withLock { s in
            s.port = port
            defer { s.waiters = [] }
            return s.waiters
        }
        waiters.forEach { $0.resume(returning: port) }
    }

    func wait() async -> Int {
        await withCheckedContinuation { c in
            let ready = state.withLock { s -> Int? in
                if let p = s.port { return p }
                s.waiters.append(c)
                return nil
            }
            if let ready { c.resume(returning: ready) }
        }
    }
}

/// A Cognito-shaped identity provider reduced to what the LB calls: `/oauth2/token` (code and refresh grants,
/// client secret by HTTP Basic) and `/oauth2/userInfo`. Codes name the user: `manager`, `analyst`, `short`
/// (a manager whose access tokens expire at once), `bad` (rejected). Refresh token `rt-revoked` is refused.
struct FakeIdentityProvider {
    static let clientID = "edge-test-client"
    static let clientSecret = "s3cret/with+symbols"

    static func accessToken(user: String, groups: [String]) -> String {
        let payload = try! JSONSerialization.data(withJSONObject: ["sub": "sub-\(user)", "cognito:groups": groups, "token_use": "access"])
        return "eyJhbGciOiJub25lIn0.\(Base64URL.encode(payload, padded: false)).sig"
    }

    static func user(for code: String) -> (name: String, groups: [String], expiresIn: Int)? {
        switch code {
        case "manager": return ("manager", ["managers"], 3600)
        case "analyst": return ("analyst", ["analysts"], 3600)
        case "short": return ("short", ["managers"], 0)
        case "revocable": return ("revocable", ["managers"], 0)
        default: return nil
        }
    }

    func router(counters: FakeIdentityCounters) -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/oauth2/token") { request, _ -> Response in
            let expected = "Basic " + Data("\(IdentityProviderClient.formEncode(Self.clientID)):\(IdentityProviderClient.formEncode(Self.clientSecret))".utf8).base64EncodedString()
            guard request.headers[.authorization] == expected else { return Self.json(401, #"{"error":"invalid_client"}"#) }
            let body = String(buffer: try await request.body.collect(upTo: 65536))
            let form = Dictionary(body.split(separator: "&").compactMap { pair -> (String, String)? in
                let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                return kv.count == 2 ? (kv[0], kv[1]) : nil
            }, uniquingKeysWith: { a, _ in a })
            switch form["grant_type"] {
            case "authorization_code":
                counters.tokenCalls.add(1, ordering: .relaxed)
                guard let code = form["code"], let user = Self.user(for: code), form["redirect_uri"]?.hasSuffix("/oauth2/idpresponse") == true else {
                    return Self.json(400, #"{"error":"invalid_grant"}"#)
                }
                let refresh = code == "revocable" ? "rt-revoked" : "rt-\(code)"
                return Self.json(200, #"{"access_token":"\#(Self.accessToken(user: user.name, groups: user.groups))","id_token":"id","refresh_token":"\#(refresh)","expires_in":\#(user.expiresIn),"token_type":"Bearer"}"#)
            case "refresh_token":
                counters.refreshCalls.add(1, ordering: .relaxed)
                guard let token = form["refresh_token"], token.hasPrefix("rt-"), token != "rt-revoked",
                      let user = Self.user(for: String(token.dropFirst(3))) else {
                    return Self.json(400, #"{"error":"invalid_grant"}"#)
                }
                return Self.json(200, #"{"access_token":"\#(Self.accessToken(user: user.name, groups: user.groups))","id_token":"id","expires_in":\#(user.expiresIn),"token_type":"Bearer"}"#)
            default:
                return Self.json(400, #"{"error":"unsupported_grant_type"}"#)
            }
        }
        router.get("/oauth2/userInfo") { request, _ -> Response in
            guard let auth = request.headers[.authorization], auth.hasPrefix("Bearer ") else { return Self.json(401, #"{"error":"invalid_token"}"#) }
            let groups = IdentityProviderClient.groups(fromJWT: String(auth.dropFirst(7)))
            let parts = auth.split(separator: ".")
            let claims = (try? JSONSerialization.jsonObject(with: Base64URL.decode(parts[1]) ?? Data())) as? [String: Any] ?? [:]
            let sub = claims["sub"] as? String ?? "?"
            return Self.json(200, #"{"sub":"\#(sub)","username":"\#(sub.dropFirst(4))","email":"\#(sub.dropFirst(4))@example.test","groups_seen":\#(groups.count)}"#)
        }
        return router
    }

    static func json(_ status: Int, _ body: String) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

final class FakeIdentityCounters: Sendable {
    let refreshCalls = Atomic<Int>(0)
    let tokenCalls = Atomic<Int>(0)
}

/// A target that echoes what reached it: every header as JSON, marked with its name; `/slow` sleeps 1.5 s and
/// `/busy` 50 ms (a target with a known capacity per connection).
func echoTargetRouter(name: String) -> Router<BasicRequestContext> {
    let router = Router()
    router.get("/", use: handler)
    router.on("**", method: .get, use: handler)
    router.on("**", method: .post, use: handler)
    @Sendable func handler(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        if request.uri.path.hasSuffix("/slow") { try await Task.sleep(for: .milliseconds(1500)) }
        if request.uri.path.hasSuffix("/busy") { try await Task.sleep(for: .milliseconds(50)) }
        var headers: [String: [String]] = [:]
        for field in request.headers { headers[field.name.canonicalName, default: []].append(field.value) }
        headers["host", default: []].append(request.head.authority ?? "")
        let body = try await request.body.collect(upTo: 1 << 20)
        let json = try JSONSerialization.data(withJSONObject: ["served_by": name, "path": request.uri.path, "headers": headers, "body_bytes": body.readableBytes])
        return Response(status: .ok, headers: [.contentType: "application/json", .init("X-Served-By")!: name, .init("Server-Timing")!: "app;dur=1"],
                        body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }
    return router
}

/// Runs an LB with a fake IdP and two echo targets, all on 127.0.0.1 port 0, for the duration of `body`.
struct EdgeHarness: Sendable {
    let lb: LoadBalancer
    let lbPort: Int
    let idpPort: Int
    let counters: FakeIdentityCounters
    let client: HTTPClient
    let accessLogPath: String

    var base: String { "https://127.0.0.1:\(lbPort)" }

    static func with(
        configure: @Sendable (EdgeConfig, _ managerURL: String, _ analyticsURL: String) -> EdgeConfig = { c, m, a in
            c.withTargets(EdgeConfig.managerTargetGroup, [m]).withTargets(EdgeConfig.analyticsTargetGroup, [a])
        },
        _ body: @Sendable (EdgeHarness) async throws -> Void
    ) async throws {
        let pki = EdgeTestPKI.shared
        var logger = Logger(label: "edge-test")
        logger.logLevel = .warning
        let idpPort = PortWaiter(), managerPort = PortWaiter(), analyticsPort = PortWaiter()
        let counters = FakeIdentityCounters()
        let idp = Application(router: FakeIdentityProvider().router(counters: counters), server: try .tls(tlsConfiguration: pki.server),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { idpPort.set($0.localAddress!.port!) }, logger: logger)
        let manager = Application(router: echoTargetRouter(name: "manager-ui"), server: try .tls(tlsConfiguration: pki.server),
                                  configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                  onServerRunning: { managerPort.set($0.localAddress!.port!) }, logger: logger)
        let analytics = Application(router: echoTargetRouter(name: "analytics-ui"), server: try .tls(tlsConfiguration: pki.server),
                                    configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                    onServerRunning: { analyticsPort.set($0.localAddress!.port!) }, logger: logger)
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("edge-access-\(UUID().uuidString).log").path
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: pki.client, redirectConfiguration: .disallow))
        defer { try? FileManager.default.removeItem(atPath: logPath) }

        let early = ServiceGroup(configuration: .init(services: [idp, manager, analytics], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await early.run() }
            let (ip, mp, ap) = (await idpPort.wait(), await managerPort.wait(), await analyticsPort.wait())
            let config = configure(EdgeConfig(targetTimeout: 1), "https://127.0.0.1:\(mp)", "https://127.0.0.1:\(ap)")
            let lb = try LoadBalancer(
                config: config,
                idp: IdentityProviderEndpoints(publicBaseURL: "https://auth.example.logs.gauntlet.test:\(ip)", internalBaseURL: "https://127.0.0.1:\(ip)"),
                client: OIDCClientCredentials(clientID: FakeIdentityProvider.clientID, clientSecret: FakeIdentityProvider.clientSecret),
                tls: pki.edgeTLS, accessLog: logPath, logger: logger)
            let late = ServiceGroup(configuration: .init(services: [lb], logger: logger))
            var failure: (any Error)?
            try await withThrowingTaskGroup(of: Void.self) { inner in
                inner.addTask { try await late.run() }
                let port = await lb.waitUntilRunning()
                do {
                    try await body(EdgeHarness(lb: lb, lbPort: port, idpPort: ip, counters: counters, client: client, accessLogPath: logPath))
                } catch {
                    failure = error
                }
                // Close client connections first so graceful shutdown has no idle keep-alive connections to wait
                // for; stop the LB (and its pool of target connections) before the targets.
                try? await client.shutdown()
                await late.triggerGracefulShutdown()
                try await inner.waitForAll()
            }
            await early.triggerGracefulShutdown()
            try await group.waitForAll()
            if let failure { throw failure }
        }
    }

    struct Reply: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: String

        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        func headers(_ name: String) -> [String] { headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
        /// Headers the echo target saw, lower-cased names.
        var seen: [String: [String]] {
            (json["headers"] as? [String: [String]] ?? [:]).reduce(into: [:]) { $0[$1.key.lowercased(), default: []] += $1.value }
        }
        /// name=value of each Set-Cookie.
        var cookies: [String: String] {
            SessionCookieCodec.parseCookies(headers("set-cookie").map { String($0.prefix { $0 != ";" }) })
        }
    }

    func get(_ path: String, cookies: [String: String] = [:], headers: [(String, String)] = [], method: HTTPMethod = .GET) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if !cookies.isEmpty { request.headers.add(name: "Cookie", value: cookies.map { "\($0)=\($1)" }.joined(separator: "; ")) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 22)
        return Reply(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: String(buffer: body))
    }

    /// The browser flow up to a session: returns the session cookies for a user code of the fake IdP.
    func login(code: String, path: String = "/") async throws -> [String: String] {
        let start = try await get(path)
        guard start.status == 302, let location = start.header("location"), let state = URLComponents(string: location)?.queryItems?.first(where: { $0.name == "state" })?.value else {
            throw EdgeTestFailure("login did not start: \(start.status)")
        }
        let callback = try await get("/oauth2/idpresponse?code=\(code)&state=\(state)", cookies: start.cookies)
        guard callback.status == 302 else { throw EdgeTestFailure("callback answered \(callback.status): \(callback.body)") }
        return callback.cookies.filter { $0.key.hasPrefix("AWSELBAuthSessionCookie-") && !$0.value.isEmpty }
    }
}

struct EdgeTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
