import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import StackSupport

/// The two backends as the runner starts them: HTTPS listeners (TLS 1.2+, the stack CA's leaf) on
/// 127.0.0.1, each a `Service` for the runner's `ServiceGroup`, each reporting its port.
public struct BackendServices: Sendable {
    public let manager: any Service
    public let analytics: any Service
    public let managerPort: BoundPort
    public let analyticsPort: BoundPort
    /// The Manager UI's state (sources, API keys, retention), for whoever needs to read it.
    public let store: ManagerStore
}

public enum Backends {
    /// Builds both backends.
    /// - Parameters:
    ///   - trust: the load balancer's public keys by kid, its signer ARN, the web client id, the
    ///     identity provider's issuer and JWKS.
    ///   - users: the identity provider's users, listed by the Manager UI.
    ///   - events: the event store, or `InMemoryEventSource()` when there is none.
    ///   - hosts: the addresses the listeners bind (the private subnet's, when the stack has one).
    public static func make(
        config: BackendsConfig, context: StackContext, trust: BackendTrust, users: [DirectoryUser],
        events: any AnalyticsEventSource, hosts: (manager: String, analytics: String) = ("127.0.0.1", "127.0.0.1")
    ) throws -> BackendServices {
        var trust = trust
        trust.leeway = config.leewaySeconds
        let store = ManagerStore(users: users, retentionDays: config.retentionDays)
        let managerPort = BoundPort(name: ManagerUI.servedBy)
        let analyticsPort = BoundPort(name: AnalyticsUI.servedBy)
        var logger = context.logger
        logger[metadataKey: "component"] = "backends"
        let manager = try TLSListener.application(
            router: ManagerUI.buildRouter(config: config, trust: trust, store: store), name: ManagerUI.servedBy,
            port: config.managerPort, host: hosts.manager, tls: context.serverTLS(), bound: managerPort, logger: logger
        )
        let analytics = try TLSListener.application(
            router: AnalyticsUI.buildRouter(config: config, trust: trust, events: events), name: AnalyticsUI.servedBy,
            port: config.analyticsPort, host: hosts.analytics, tls: context.serverTLS(), bound: analyticsPort, logger: logger
        )
        return BackendServices(
            manager: manager, analytics: analytics, managerPort: managerPort, analyticsPort: analyticsPort, store: store
        )
    }
}
