import Foundation
import Hummingbird
import Logging
import NIOSSL
import ServiceLifecycle
import StackBackends
import StackDNS
import StackEdge
import StackIdentity
import StackSupport
import StackUpload

/// Everything the stack runs besides the identity provider: the event store and upload gateway, the two UI
/// backends, the DNS server and the load balancer, with the values each needs from the others.
///
/// Order matters only for values known before anything binds (the LB's signing key and signer ARN, which the
/// backends must trust; the JWKS, which the gateway and backends verify tokens with). Ports are learnt
/// lazily: the load balancer is a `DeferredService` that waits for the identity provider's and the backends'
/// real ports before it builds its config.
struct StackComponents {
    var services: [any Service] = []
    var ports: [BoundPort] = []
    var store: EventStore
    var gateway: UploadGateway
    var uploadBound = BoundPort(name: "upload gateway")
    var managerBound: BoundPort
    var analyticsBound: BoundPort
    var lbBound = BoundPort(name: "load balancer")
    var dnsBound: BoundPort
    var dnsServer: DNSServer
    var signer: String
    var lbKeyID: String
    var accessLogPath: String

    static func assemble(config: StackConfig, context: StackContext, identity: IdentityProvider, logger: Logger) async throws -> StackComponents {
        let names = context.names
        let serverTLS = try context.ca.serverTLSConfiguration()
        let clientTLS = context.ca.clientTLSConfiguration()
        let jwks = try identity.tokens.jwksJSON()
        guard let web = identity.pool.clientsByName["web"], let webSecret = web.clientSecret else {
            throw StackConfigError(path: "identity.clients", message: "the load balancer needs an app client named \"web\" with a secret")
        }

        // The upload path: an encrypted, group-committed store behind the gateway.
        var storeOptions = EventStore.Options()
        storeOptions.retention = config.upload.retentionHours * 3600
        storeOptions.segmentMaxBytes = config.upload.segmentMaxBytes
        let store = try EventStore(directory: context.stateDirectory.appendingPathComponent("events").path, options: storeOptions)
        var uploadConfig = config.upload
        uploadConfig.port = config.ports.upload
        uploadConfig.hostname = names.upload
        let gateway = try await UploadGateway(config: uploadConfig, store: store, jwks: jwks, stackSeed: config.seed, logger: logger)

        // The load balancer's identity is fixed before anything starts, so the backends can trust it.
        var edge = config.edge
        edge.hostName = names.loadBalancer
        edge.listenerPort = config.ports.lb
        edge.region = config.region
        let signingKey = EdgeSigningKey()
        let signer = LoadBalancer.signerARN(for: edge)
        let trust = try BackendTrust(
            loadBalancerKeysPEM: [signingKey.keyID: signingKey.publicKeyPEM], jwksJSON: jwks,
            expectedSigner: signer, expectedClient: web.clientId, expectedIssuer: identity.issuer,
            leeway: config.backends.leewaySeconds)
        let directory = identity.pool.credentials.map {
            DirectoryUser(username: $0.username, email: "\($0.username)@\(names.loadBalancer)", groups: $0.groups)
        }
        let backends = try Backends.make(
            config: config.backends, context: context, trust: trust, users: directory, events: EventStoreSource(store: store))
        let dnsServer = try DNSServer(config: config.dns, names: names, port: config.ports.dns)

        var components = StackComponents(
            store: store, gateway: gateway, managerBound: backends.managerPort, analyticsBound: backends.analyticsPort,
            dnsBound: dnsServer.boundPort, dnsServer: dnsServer, signer: signer, lbKeyID: signingKey.keyID,
            accessLogPath: context.stateDirectory.appendingPathComponent("access.log").path)

        components.add(try TLSListener.application(
            router: gateway.buildRouter(), name: "upload-gateway", port: config.ports.upload, tls: serverTLS,
            bound: components.uploadBound, logger: logger), components.uploadBound)
        components.add(backends.manager, backends.managerPort)
        components.add(backends.analytics, backends.analyticsPort)
        components.add(dnsServer, dnsServer.boundPort)

        let (managerBound, analyticsBound, lbBound) = (components.managerBound, components.analyticsBound, components.lbBound)
        let accessLogPath = components.accessLogPath
        let edgeConfig = edge
        let lbLogger = {
            var lbLogger = logger
            lbLogger[metadataKey: "component"] = "load-balancer"
            return lbLogger
        }()
        components.services.append(DeferredService {
            let idpPort = try await identity.bound.value()
            let managerPort = try await managerBound.value()
            let analyticsPort = try await analyticsBound.value()
            let targets = edgeConfig
                .withTargets(EdgeConfig.managerTargetGroup, ["https://127.0.0.1:\(managerPort)"])
                .withTargets(EdgeConfig.analyticsTargetGroup, ["https://127.0.0.1:\(analyticsPort)"])
            return try LoadBalancer(
                config: targets,
                idp: IdentityProviderEndpoints(
                    publicBaseURL: "https://\(names.identityProvider):\(idpPort)",
                    internalBaseURL: "https://127.0.0.1:\(idpPort)", issuer: identity.issuer),
                client: OIDCClientCredentials(clientID: web.clientId, clientSecret: webSecret),
                tls: EdgeTLS(listener: serverTLS, upstream: clientTLS), accessLog: accessLogPath,
                signingKey: signingKey, logger: lbLogger,
                onRunning: { port in
                    // ALB's callback must be registered with the app client before the first login.
                    identity.registerCallback(client: "web", url: "https://\(names.loadBalancer):\(port)/oauth2/idpresponse")
                    identity.registerCallback(client: "web", url: "https://127.0.0.1:\(port)/oauth2/idpresponse")
                    lbBound.fulfil(port)
                })
        })
        components.ports.append(lbBound)
        return components
    }

    mutating func add(_ service: any Service, _ port: BoundPort) {
        services.append(service)
        ports.append(port)
    }

    /// Fills the endpoints keys of these components.
    func describe(into endpoints: inout StackEndpoints, names: StackNames) {
        if let port = lbBound.current {
            endpoints.urls.lb = "https://\(names.loadBalancer):\(port)"
            endpoints.direct.lb = "https://127.0.0.1:\(port)"
            endpoints.resolve.append("\(names.loadBalancer):\(port):127.0.0.1")
            endpoints.lbKeyUrl = "https://\(names.loadBalancer):\(port)/.well-known/alb-keys"
        }
        if let port = uploadBound.current {
            endpoints.urls.upload = "https://\(names.upload):\(port)"
            endpoints.direct.upload = "https://127.0.0.1:\(port)"
            endpoints.resolve.append("\(names.upload):\(port):127.0.0.1")
        }
        endpoints.direct.manager = managerBound.current.map { "https://127.0.0.1:\($0)" }
        endpoints.direct.analytics = analyticsBound.current.map { "https://127.0.0.1:\($0)" }
        if let port = dnsBound.current {
            endpoints.dns = .init(address: "127.0.0.1", port: port)
        }
        endpoints.lbSigner = signer
        endpoints.accessLog = accessLogPath
        endpoints.apiKeys = gateway.apiKeys.map(\.value)
    }
}

/// Reads Analytics searches and counts from the event store.
struct EventStoreSource: AnalyticsEventSource {
    let store: EventStore

    func search(_ query: EventSearchQuery) async throws -> EventSearchResult {
        let found = try store.search(from: query.from, to: query.to, term: query.text.isEmpty ? nil : query.text, limit: query.limit)
        return EventSearchResult(
            events: found.map { AnalyticsEvent(id: String($0.offset), time: $0.timestamp, event: JSONValue(parsing: $0.jsonString)) },
            totalMatched: nil)
    }

    func counts(_ query: EventCountsQuery) async throws -> [EventCountBucket] {
        store.counts(from: query.from, to: query.to, interval: Double(query.intervalSeconds))
            .map { EventCountBucket(start: $0.start, count: $0.count) }
    }
}
