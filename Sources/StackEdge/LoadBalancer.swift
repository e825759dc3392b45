import AsyncHTTPClient
import Crypto
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The authenticating load balancer (ALB stand-in) as a `Service` the stack runner adds to its group.
///
/// ```swift
/// let lb = try LoadBalancer(config: edge, idp: .init(publicBaseURL: "https://auth.example.logs.gauntlet.test:9443",
///                                                   internalBaseURL: "https://127.0.0.1:9443"),
///                           client: .init(clientID: id, clientSecret: secret), tls: tls, accessLog: "results/alb.log")
/// // lb.signer, lb.keyID, lb.publicKeyPEM go to the backends; after start, lb.keyURL(host:) is `lb_key_url`.
/// ```
public final class LoadBalancer: Service, Sendable {
    public let config: EdgeConfig
    /// `lb_signer`: the ALB ARN in every `x-amzn-oidc-data` header.
    public let signer: String
    /// The `kid` of the current signing key.
    public let keyID: String
    /// The public key for `keyID`, as served at `keyURL/<kid>`.
    public let publicKeyPEM: String
    public let accessLogPath: String?

    private let proxy: EdgeProxy
    private let http: HTTPClient
    private let targetHTTP: HTTPClient
    private let tls: EdgeTLS
    private let accessLog: AccessLogWriter?
    private let onRunning: @Sendable (Int) async -> Void
    private let logger: Logger?
    private let running = Mutex<[CheckedContinuation<Int, Never>]>([])

    /// - Parameters:
    ///   - accessLog: file to append ALB access-log lines to (nil: no access log).
    ///   - onRunning: called with the bound port once the listener accepts connections.
    public init(config: EdgeConfig, idp: IdentityProviderEndpoints, client: OIDCClientCredentials, tls: EdgeTLS, accessLog: String?,
                signingKey: EdgeSigningKey = .init(), logger: Logger? = nil,
                onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws {
        try config.validate()
        self.config = config
        let elbID = Self.elbID(for: config)
        self.signer = Self.signerARN(for: config)
        let signerKey = OIDCDataSigner(privateKey: signingKey.privateKey, keyID: signingKey.keyID, signer: signer, issuer: idp.issuer, clientID: client.clientID)
        self.keyID = signerKey.keyID
        self.publicKeyPEM = signerKey.publicKeyPEM
        self.tls = tls
        self.accessLogPath = accessLog
        self.onRunning = onRunning
        self.logger = logger

        var httpConfig = HTTPClient.Configuration(
            tlsConfiguration: tls.upstream,
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .milliseconds(Int64(config.targetTimeout * 1000)))
        )
        httpConfig.decompression = .disabled
        httpConfig.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfig)
        self.http = http
        // Targets: ALB does not validate its targets' certificates (self-signed ones work), so neither does this
        // client; the identity provider's client above keeps trusting the stack CA only. Its pool per target is
        // as large as the group's connection cap, so the cap, not the pool, is what a burst meets.
        var targetTLS = tls.upstream
        targetTLS.certificateVerification = .none
        var targetConfig = httpConfig
        targetConfig.tlsConfiguration = targetTLS
        targetConfig.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: config.targetMaxConnections)
        let targetHTTP = HTTPClient(eventLoopGroupProvider: .singleton, configuration: targetConfig)
        self.targetHTTP = targetHTTP
        let writer = try accessLog.map { try AccessLogWriter(path: $0) }
        self.accessLog = writer
        self.proxy = EdgeProxy(
            config: config,
            idp: IdentityProviderClient(endpoints: idp, credentials: client, http: http, timeout: .seconds(10)),
            cookies: SessionCookieCodec(loadBalancerName: config.name),
            signer: signerKey, targetHTTP: targetHTTP, accessLog: writer, elbID: elbID)
    }

    /// `lb_signer` for a config, known before the LB exists (the backends need it first).
    public static func signerARN(for config: EdgeConfig) -> String {
        "arn:aws:elasticloadbalancing:\(config.region):\(config.accountID):loadbalancer/\(elbID(for: config))"
    }

    /// `app/<name>/<16 hex>`, stable for a name and region.
    static func elbID(for config: EdgeConfig) -> String {
        "app/\(config.name)/\(EdgeProxy.stableHex("\(config.name)/\(config.region)"))"
    }

    /// The LB's counters in Prometheus text (what `GET /.well-known/alb-metrics` serves).
    public var metricsText: String { proxy.metrics.render(sessions: proxy.sessions.count, gates: proxy.gates) }

    /// Decrypted sessions held in memory now (bounded by `session_cache_size`).
    public var cachedSessionCount: Int { proxy.sessions.count }

    /// Open listener connections whose handshake facts are held (one entry per connection).
    public var trackedConnectionCount: Int { proxy.handshakes.count }

    /// The bound port (0 until the listener is up).
    public var port: Int { proxy.listenerPort.value }

    /// Waits until the listener is bound and returns its port.
    public func waitUntilRunning() async -> Int {
        await withCheckedContinuation { continuation in
            let ready = running.withLock { waiters -> Int? in
                if proxy.listenerPort.value != 0 { return proxy.listenerPort.value }
                waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// `lb_key_url`: AWS's regional key endpoint shape, here a path on this listener; append `/<kid>`.
    public func keyURL(host: String? = nil) -> String {
        "https://\(host ?? config.hostName):\(port)\(EdgeProxy.keyPathPrefix.dropLast())"
    }

    public func run() async throws {
        let proxy = self.proxy
        let app = Application(
            responder: EdgeResponder(proxy: proxy),
            server: try EdgeTLSChannel.server(
                http: .init(
                    idleTimeout: .seconds(60),
                    // ALB: 16 KB per header line, 64 KB of headers in all; beyond that, 400.
                    httpDecoderConfiguration: .init(maxHeaderFieldSize: 16 * 1024, maxHeaderListSize: 64 * 1024, maxHeaderFieldCount: 200)),
                tls: tls.listener, handshakes: proxy.handshakes),
            configuration: .init(address: .hostname("127.0.0.1", port: config.listenerPort), serverName: nil),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? 0
                proxy.listenerPort.set(port)
                let waiters = self.running.withLock { waiters in
                    defer { waiters.removeAll() }
                    return waiters
                }
                for waiter in waiters { waiter.resume(returning: port) }
                await self.onRunning(port)
            },
            logger: logger
        )
        do {
            try await app.run()
        } catch {
            await shutdownClients()
            throw error
        }
        await shutdownClients()
    }

    private func shutdownClients() async {
        try? await targetHTTP.shutdown()
        try? await http.shutdown()
        accessLog?.close()
    }
}

/// Adapts the proxy to Hummingbird: every request, whatever its path, goes through the LB's logic.
struct EdgeResponder: HTTPResponder {
    typealias Context = EdgeRequestContext
    let proxy: EdgeProxy

    func respond(to request: Request, context: EdgeRequestContext) async throws -> Response {
        await proxy.respond(to: request, context: context)
    }
}
