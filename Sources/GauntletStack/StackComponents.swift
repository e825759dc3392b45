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
    var upload: UploadComponent
    var managerBound: BoundPort
    var analyticsBound: BoundPort
    var lbBound = BoundPort(name: "load balancer")
    var dnsBound: BoundPort
    var dnsServer: DNSServer
    var signer: String
    var lbKeyID: String
    var accessLogPath: String
    /// The private subnet the UI backends listen in (nil: 127.0.0.1, the signature layer only).
    var subnet: PrivateSubnet?
    /// The built-in backends' base URLs as the load balancer reaches them, once bound.
    var managerURL: String? { managerBound.current.map { Self.backendURL(.managerUI, port: $0, inSubnet: subnet != nil) } }
    var analyticsURL: String? { analyticsBound.current.map { Self.backendURL(.analyticsUI, port: $0, inSubnet: subnet != nil) } }

    static func backendURL(_ component: VPCComponent, port: Int, inSubnet: Bool) -> String {
        inSubnet ? VPCAddressPlan.targetURL(of: component, port: port) : "https://127.0.0.1:\(port)"
    }

    static func assemble(
        config: StackConfig, context: StackContext, identity: IdentityProvider, subnet: PrivateSubnet?, logger: Logger
    ) async throws -> StackComponents {
        let names = context.names
        let serverTLS = try context.ca.serverTLSConfiguration()
        let clientTLS = context.ca.clientTLSConfiguration()
        let jwks = try identity.tokens.jwksJSON()
        guard let web = identity.pool.clientsByName["web"], let webSecret = web.clientSecret else {
            throw StackConfigError(path: "identity.clients", message: "the load balancer needs an app client named \"web\" with a secret")
        }

        // The upload path: an encrypted, group-committed store behind the gateway.
        let upload = try await UploadComponent.make(
            config: config.upload, port: config.ports.upload, context: context, jwks: jwks, issuer: identity.issuer)
        let store = upload.store

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
        // In the subnet the UIs listen on 443 of their own addresses (the security groups' port), unless pinned.
        var backendsConfig = config.backends
        var hosts: (manager: String, analytics: String) = ("127.0.0.1", "127.0.0.1")
        if subnet != nil {
            if backendsConfig.managerPort == 0 { backendsConfig.managerPort = VPCAddressPlan.targetPort }
            if backendsConfig.analyticsPort == 0 { backendsConfig.analyticsPort = VPCAddressPlan.targetPort }
            hosts = (VPCAddressPlan.address(of: .managerUI), VPCAddressPlan.address(of: .analyticsUI))
        }
        let backends = try Backends.make(
            config: backendsConfig, context: context, trust: trust, users: directory, events: EventStoreSource(store: store),
            hosts: hosts)
        let dnsServer = try DNSServer(config: config.dns, names: names, port: config.ports.dns)

        var components = StackComponents(
            upload: upload, managerBound: backends.managerPort, analyticsBound: backends.analyticsPort,
            dnsBound: dnsServer.boundPort, dnsServer: dnsServer, signer: signer, lbKeyID: signingKey.keyID,
            accessLogPath: context.stateDirectory.appendingPathComponent("access.log").path, subnet: subnet)

        components.add(try upload.application(logger: logger), upload.bound)
        components.add(subnet?.inside(backends.manager) ?? backends.manager, backends.managerPort)
        components.add(subnet?.inside(backends.analytics) ?? backends.analytics, backends.analyticsPort)
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
            // A config that names a built-in group with targets is honoured: the built-in rules forward there.
            var targets = edgeConfig
            for (group, component, port) in [
                (EdgeConfig.managerTargetGroup, VPCComponent.managerUI, managerPort),
                (EdgeConfig.analyticsTargetGroup, VPCComponent.analyticsUI, analyticsPort),
            ] where edgeConfig.targetGroups[group]?.targets.isEmpty ?? true {
                targets = targets.withTargets(group, [Self.backendURL(component, port: port, inSubnet: subnet != nil)])
            }
            let edgeSubnet = subnet.map {
                EdgeSubnet(
                    eventLoopGroup: $0.threads.eventLoopGroup, localAddress: VPCAddressPlan.address(of: .loadBalancer),
                    targetHosts: [VPCAddressPlan.address(of: .managerUI), VPCAddressPlan.address(of: .analyticsUI)])
            }
            return try LoadBalancer(
                config: targets,
                idp: IdentityProviderEndpoints(
                    publicBaseURL: "https://\(names.identityProvider):\(idpPort)",
                    internalBaseURL: "https://127.0.0.1:\(idpPort)", issuer: identity.issuer),
                client: OIDCClientCredentials(clientID: web.clientId, clientSecret: webSecret),
                tls: EdgeTLS(listener: serverTLS, upstream: clientTLS), accessLog: accessLogPath,
                signingKey: signingKey, logger: lbLogger, subnet: edgeSubnet,
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
        endpoints.urls.upload = upload.urlByName
        endpoints.direct.upload = upload.directURL
        if let entry = upload.resolveEntry { endpoints.resolve.append(entry) }
        endpoints.direct.manager = managerURL
        endpoints.direct.analytics = analyticsURL
        if let port = dnsBound.current {
            endpoints.dns = .init(address: "127.0.0.1", port: port)
        }
        endpoints.lbSigner = signer
        endpoints.accessLog = accessLogPath
        endpoints.apiKeys = upload.apiKeyValues
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
