import AsyncHTTPClient
import Crypto
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import StackSupport
import Synchronization
import HTTPTypes

/// The load balancer's request path: rules, authentication, forwarding, errors, Server-Timing and the access
/// log. Everything here is immutable or internally synchronised, so one instance serves all connections.
final class EdgeProxy: Sendable {
    static let keyPathPrefix = "/.well-known/alb-keys/"
    static let callbackPath = "/oauth2/idpresponse"
    /// ALB caps what it buffers; bodies past this are refused rather than held in memory.
    static let maxBodyBytes = 10 * 1024 * 1024

    let config: EdgeConfig
    let engine: RuleEngine
    let idp: IdentityProviderClient
    let cookies: SessionCookieCodec
    let signer: OIDCDataSigner
    let targets: TargetPool
    /// Targets' TLS is not validated, as on ALB; the identity provider's client (inside `idp`) stays strict.
    let targetHTTP: HTTPClient
    let faults: FaultInjector
    let sessions: SessionCache
    let handshakes: TLSHandshakeRegistry
    /// One bounded pool per target group (``EdgeConfig/targetMaxConnections``).
    let gates: [String: AdmissionGate]
    let metrics: EdgeMetrics
    /// Built once: ARNs are hashed names, and the certificate ARN is fixed.
    let targetGroupARNs: [String: String]
    let chosenCertARN: String
    let accessLog: AccessLogWriter?
    let started: ContinuousClock.Instant
    let listenerPort: Listener
    /// `app/<name>/<id>` for access logs; `arn:…:loadbalancer/app/<name>/<id>` is the signer.
    let elbID: String

    /// The port is known only once the listener is bound.
    final class Listener: Sendable {
        private let port = Atomic<Int>(0)
        func set(_ value: Int) { port.store(value, ordering: .relaxed) }
        var value: Int { port.load(ordering: .relaxed) }
    }

    init(config: EdgeConfig, idp: IdentityProviderClient, cookies: SessionCookieCodec, signer: OIDCDataSigner, targetHTTP: HTTPClient,
         accessLog: AccessLogWriter?, elbID: String, metrics: EdgeMetrics = EdgeMetrics()) {
        self.config = config
        self.engine = config.ruleEngine
        self.idp = idp
        self.cookies = cookies
        self.signer = signer
        self.targets = TargetPool(config.targetGroups)
        self.targetHTTP = targetHTTP
        self.faults = FaultInjector(config: config.faults)
        self.sessions = SessionCache(capacity: config.sessionCacheSize, ttl: config.sessionCacheTTL)
        self.handshakes = TLSHandshakeRegistry()
        self.gates = config.targetGroups.mapValues { _ in
            AdmissionGate(limit: config.targetMaxConnections, queueLimit: config.targetMaxQueued,
                          maxWait: .nanoseconds(Int64(config.targetConnectionWait * 1e9)))
        }
        self.metrics = metrics
        self.targetGroupARNs = Dictionary(uniqueKeysWithValues: config.targetGroups.keys.map { name in
            (name, "arn:aws:elasticloadbalancing:\(config.region):\(config.accountID):targetgroup/\(name)/\(Self.stableHex(name))")
        })
        self.chosenCertARN = "arn:aws:acm:\(config.region):\(config.accountID):certificate/gauntlet-stack-ca"
        self.accessLog = accessLog
        self.started = .now
        self.listenerPort = Listener()
        self.elbID = elbID
    }

    /// Per-request bookkeeping that ends up in headers and the access log.
    struct Exchange {
        var facts: RequestFacts
        var traceID: String
        var clientPort: Int
        var received: ContinuousClock.Instant
        var createdAt: Date
        var authSeconds: Double = 0
        var decision: RuleEngine.Decision?
        var setCookies: [String] = []
        var receivedBytes: Int
        /// `actions_executed` when no rule ran (the OIDC callback is ALB's own work).
        var fallbackActions: [String] = []
        /// The session cookie's cache key, and the `x-amzn-oidc-data` already signed for it.
        var sessionKey: SHA256Digest?
        var cachedOIDCData: String?
    }

    func respond(to request: Request, context: EdgeRequestContext) async -> Response {
        let received = ContinuousClock.now
        let createdAt = Date()
        let clientIP = context.remoteAddress?.ipAddress ?? "0.0.0.0"
        let clientPort = context.remoteAddress?.port ?? 0
        var headerBytes = 0
        var facts = RequestFacts(host: request.head.authority ?? "", path: request.uri.path, rawQuery: request.uri.query ?? "",
                                 method: request.method.rawValue, headers: [], sourceIP: clientIP)
        for field in request.headers {
            facts.headers.append(.init(name: field.name.rawName, value: field.value))
            headerBytes += field.name.rawName.utf8.count + field.value.utf8.count + 4
        }
        var exchange = Exchange(facts: facts, traceID: Self.traceID(from: request.headers), clientPort: clientPort, received: received,
                                createdAt: createdAt, receivedBytes: headerBytes + request.uri.description.utf8.count)

        var result: EdgeResponse
        if let problem = Self.malformed(request, facts: facts) {
            result = .albError(400, errorReason: problem)
        } else {
            var body = ByteBuffer()
            do {
                body = try await request.body.collect(upTo: Self.maxBodyBytes)
                exchange.receivedBytes += body.readableBytes
                result = await route(request, body: body, exchange: &exchange)
            } catch {
                result = .albError(413, errorReason: "RequestBodyTooLarge")
            }
        }
        return finish(result, exchange: exchange, context: context)
    }

    /// ALB refuses these with 400 before any rule runs.
    static func malformed(_ request: Request, facts: RequestFacts) -> String? {
        if facts.host.isEmpty { return "MissingHostHeader" }
        if !facts.path.hasPrefix("/") { return "InvalidRequestTarget" }
        if facts.host.contains(where: { $0 == " " || $0 == "/" || $0 == "@" }) { return "InvalidHostHeader" }
        if request.headers[values: .contentLength].count > 1 { return "DuplicateContentLength" }
        return nil
    }

    private func route(_ request: Request, body: ByteBuffer, exchange: inout Exchange) async -> EdgeResponse {
        let path = exchange.facts.path
        if path == Self.callbackPath {
            return await handleCallback(exchange: &exchange)
        }
        if path.hasPrefix(Self.keyPathPrefix), request.method == .get {
            let kid = String(path.dropFirst(Self.keyPathPrefix.count))
            guard kid == signer.keyID else { return .text(404, "unknown key id\n", contentType: "text/plain") }
            return .text(200, signer.publicKeyPEM, contentType: "application/x-pem-file")
        }
        if path == Self.metricsPath, request.method == .get {
            return .text(200, metrics.render(sessions: sessions.count, gates: gates), contentType: StackMetrics.contentType)
        }

        let authStart = ContinuousClock.now
        let now = Self.unixNow()
        let jar = SessionCookieCodec.parseCookies(request.headers[values: .cookie])
        let shardCount = SessionCookieCodec.shardCount(in: jar)
        var session = cachedSession(jar, now: now, exchange: &exchange)
        if session == nil, shardCount > 0 {
            // Tampered, truncated or timed out: drop the cookies and treat the request as anonymous.
            exchange.setCookies += cookies.clearingHeaders(shardCount: shardCount)
        }
        var decision = engine.evaluate(exchange.facts, session: session.map { .authenticated(groups: $0.groups) } ?? .none)

        if decision.authenticate != nil, let current = session, current.accessTokenExpired(now: now) {
            switch await refreshed(current, now: now) {
            case let .success(renewed):
                session = renewed
                exchange.sessionKey = nil
                exchange.cachedOIDCData = nil
                do {
                    exchange.setCookies = try cookies.setCookieHeaders(for: renewed, now: now, previousShardCount: shardCount)
                } catch {
                    exchange.authSeconds = Self.seconds(since: authStart)
                    return .albError(500, errorReason: "AuthUnhandledException")
                }
            case .failure(.rejected):
                // Revoked or expired refresh token: the session is over.
                session = nil
                exchange.setCookies = cookies.clearingHeaders(shardCount: shardCount)
            case let .failure(failure):
                exchange.authSeconds = Self.seconds(since: authStart)
                return .albError(561, errorReason: failure.logReason)
            }
            decision = engine.evaluate(exchange.facts, session: session.map { .authenticated(groups: $0.groups) } ?? .none)
        }
        exchange.decision = decision
        if decision.authenticate != nil { exchange.authSeconds = Self.seconds(since: authStart) }

        switch decision.outcome {
        case let .startLogin(auth):
            return startLogin(auth, exchange: &exchange)
        case .deny:
            var response = EdgeResponse.albError(401)
            response.headers.append(("WWW-Authenticate", "Bearer realm=\"\(config.hostName)\""))
            return response
        case let .fixedResponse(fixed):
            return .text(fixed.statusCode, fixed.body, contentType: fixed.contentType)
        case let .redirect(redirect):
            let location = redirect.location(for: exchange.facts, listenerPort: listenerPort.value)
            var response = EdgeResponse(status: redirect.statusCode, headers: [("Location", location)])
            response.redirectURL = location
            return response
        case let .forward(group):
            return await forward(request, body: body, group: group, session: decision.withUser ? session : nil, exchange: exchange)
        }
    }

    /// The session in the cookies: from the cache when this cookie was opened recently, else opened and kept.
    private func cachedSession(_ jar: [String: String], now: Int, exchange: inout Exchange) -> EdgeSession? {
        guard let sealed = SessionCookieCodec.sealedSession(in: jar) else { return nil }
        let key = SessionCache.key(sealed: sealed)
        exchange.sessionKey = key
        if let entry = sessions.lookup(key, now: now) {
            exchange.cachedOIDCData = entry.oidcData
            return entry.session
        }
        guard let session = cookies.decodeSession(sealed: sealed, now: now) else { return nil }
        sessions.store(key, session: session, now: now)
        return session
    }

    private func refreshed(_ session: EdgeSession, now: Int) async -> Result<EdgeSession, IdentityProviderClient.Failure> {
        guard let refreshToken = session.refreshToken else {
            return .failure(.rejected(status: 400, body: "no refresh token", logReason: "AuthInvalidCookie"))
        }
        do {
            let tokens = try await idp.refresh(refreshToken: refreshToken)
            var renewed = session
            renewed.accessToken = tokens.accessToken
            renewed.idToken = tokens.idToken ?? session.idToken
            renewed.refreshToken = tokens.refreshToken ?? refreshToken
            renewed.accessExpiresAt = now + tokens.expiresIn
            let groups = IdentityProviderClient.groups(fromJWT: tokens.accessToken)
            if !groups.isEmpty { renewed.groups = groups }
            return .success(renewed)
        } catch {
            return .failure(error)
        }
    }

    // MARK: finishing

    private func finish(_ result: EdgeResponse, exchange: Exchange, context: EdgeRequestContext) -> Response {
        var headers = HTTPFields()
        headers.reserveCapacity(result.headers.count + exchange.setCookies.count + 4)
        for (name, value) in result.headers {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        for cookie in exchange.setCookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        // What ALB puts on the responses it makes itself (not on a target's).
        if result.targetStatus == nil { headers[.server] = "awselb/2.0" }
        var timing = "lb-auth;dur=" + LogFormat.fixed3(exchange.authSeconds * 1000)
        if result.targetSeconds >= 0 { timing += ", target;dur=" + LogFormat.fixed3(result.targetSeconds * 1000) }
        headers[Self.serverTimingField] = timing
        if headers[.contentType] == nil, result.body.readableBytes > 0 { headers[.contentType] = "application/octet-stream" }
        headers[.contentLength] = String(result.body.readableBytes)
        let status = HTTPResponse.Status(code: result.status, reasonPhrase: EdgeResponse.reasonPhrase(result.status))
        metrics.answered(result)

        if let accessLog {
            let total = Self.seconds(since: exchange.received)
            let handshake = handshakes.facts(for: context.channel)
            var entry = AccessLogEntry(
                time: Date(), elb: elbID, clientAddress: exchange.facts.sourceIP, clientPort: exchange.clientPort,
                elbStatusCode: result.status, receivedBytes: exchange.receivedBytes,
                sentBytes: result.body.readableBytes + headers.reduce(0) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4 } + 17,
                method: exchange.facts.method, url: requestURL(exchange.facts),
                traceID: exchange.traceID, requestCreationTime: exchange.createdAt,
                actionsExecuted: exchange.decision?.actionsExecuted ?? exchange.fallbackActions,
                connTraceID: "TID_" + LogFormat.randomHex(bytes: 16))
            entry.target = result.target
            entry.targetStatusCode = result.targetStatus
            if result.targetSeconds >= 0 {
                entry.requestProcessingTime = max(0, result.dispatchSeconds)
                entry.targetProcessingTime = result.targetSeconds
                entry.responseProcessingTime = max(0, total - result.dispatchSeconds - result.targetSeconds)
            } else if result.target == nil {
                entry.requestProcessingTime = total
                entry.responseProcessingTime = 0
            }
            entry.userAgent = exchange.facts.headers.first { $0.name.utf8.count == 10 && $0.name.lowercased() == "user-agent" }?.value
            entry.sslProtocol = handshake?.protocolName
            entry.sslCipher = handshake?.cipherName
            entry.targetGroupARN = result.targetGroup.map(targetGroupARN)
            entry.domainName = exchange.facts.hostWithoutPort
            entry.chosenCertARN = chosenCertARN
            if let decision = exchange.decision { entry.matchedRulePriority = decision.priority ?? 0 }
            entry.redirectURL = result.redirectURL
            entry.errorReason = result.errorReason
            accessLog.append(entry)
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: result.body))
    }

    /// The access log's `request` URL as AWS writes it: always `https://host:port/path?query`, the listener's
    /// port standing in when the Host header has none (whatever host the client claimed).
    func requestURL(_ facts: RequestFacts) -> String {
        var url = "https://"
        if facts.host.isEmpty {
            url += "-"
        } else {
            url += facts.host
        }
        if facts.host.isEmpty || facts.hostWithoutPort == facts.host {
            url += ":"
            url += String(listenerPort.value)
        }
        url += facts.path
        if !facts.rawQuery.isEmpty {
            url += "?"
            url += facts.rawQuery
        }
        return url
    }

    func targetGroupARN(_ name: String) -> String {
        targetGroupARNs[name] ?? "arn:aws:elasticloadbalancing:\(config.region):\(config.accountID):targetgroup/\(name)/\(Self.stableHex(name))"
    }

    static let serverTimingField = HTTPField.Name("Server-Timing")!
    static let traceIDField = HTTPField.Name("X-Amzn-Trace-Id")!
    /// The LB's own counters (a Gauntlet extension: ALB publishes its metrics to CloudWatch, not on a path).
    static let metricsPath = "/.well-known/alb-metrics"

    // MARK: small helpers

    static func unixNow() -> Int { Int(Date().timeIntervalSince1970) }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func milliseconds(_ seconds: Double) -> String { LogFormat.fixed3(seconds * 1000) }

    /// A stable 16-hex-digit id derived from a name (ARNs should not change between runs).
    static func stableHex(_ name: String) -> String {
        LogFormat.hex(SHA256.hash(data: Data(name.utf8)).prefix(8))
    }

    /// Keeps a client's `Root=` trace id (ALB appends to it); otherwise starts a new one.
    static func traceID(from headers: HTTPFields) -> String {
        if let sent = headers[traceIDField], sent.utf8.count < 256, sent.contains("Root="),
           sent.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") }) {
            return sent
        }
        return "Root=1-" + LogFormat.hex(Int(Date().timeIntervalSince1970), width: 8) + "-" + LogFormat.randomHex(bytes: 12)
    }
}
