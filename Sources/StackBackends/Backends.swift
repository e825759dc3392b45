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
    /// Each backend's admission (by `X-Served-By` name): in use, waiting, refused.
    public let admission: [String: AdmissionGate]
    /// Each backend's counters, also served at `GET /metrics` on its listener.
    public let metrics: [String: StackMetrics]
}

public enum Backends {
    /// Builds both backends.
    /// - Parameters:
    ///   - trust: the load balancer's public keys by kid, its signer ARN, the web client id, the
    ///     identity provider's issuer and JWKS.
    ///   - users: the identity provider's users, listed by the Manager UI.
    ///   - events: the event store, or `InMemoryEventSource()` when there is none.
    public static func make(
        config: BackendsConfig, context: StackContext, trust: BackendTrust, users: [DirectoryUser],
        events: any AnalyticsEventSource
    ) throws -> BackendServices {
        var trust = trust
        trust.leeway = config.leewaySeconds
        let store = ManagerStore(users: users, retentionDays: config.retentionDays)
        let managerPort = BoundPort(name: ManagerUI.servedBy)
        let analyticsPort = BoundPort(name: AnalyticsUI.servedBy)
        var logger = context.logger
        logger[metadataKey: "component"] = "backends"
        var gates: [String: AdmissionGate] = [:]
        var metrics: [String: StackMetrics] = [:]
        /// A router whose outermost layers are the metrics endpoint and bounded admission.
        func admittingRouter(_ name: String) -> Router<BackendRequestContext> {
            let gate = AdmissionGate(limit: config.maxConcurrentRequests, queueLimit: config.maxQueuedRequests,
                                     maxWait: .nanoseconds(Int64(config.queueWait * 1e9)))
            let stackMetrics = StackMetrics()
            gates[name] = gate
            metrics[name] = stackMetrics
            let router = Router(context: BackendRequestContext.self)
            router.add(middleware: MetricsEndpointMiddleware(metrics: stackMetrics))
            router.add(middleware: AdmissionMiddleware(name: name, gate: gate, metrics: stackMetrics))
            return router
        }
        let managerRouter = admittingRouter(ManagerUI.servedBy)
        ManagerUI.addRoutes(to: managerRouter, config: config, trust: trust, store: store)
        let analyticsRouter = admittingRouter(AnalyticsUI.servedBy)
        AnalyticsUI.addRoutes(to: analyticsRouter, config: config, trust: trust, events: events)
        let manager = try TLSListener.application(
            router: managerRouter, name: ManagerUI.servedBy,
            port: config.managerPort, tls: context.serverTLS(), bound: managerPort, logger: logger
        )
        let analytics = try TLSListener.application(
            router: analyticsRouter, name: AnalyticsUI.servedBy,
            port: config.analyticsPort, tls: context.serverTLS(), bound: analyticsPort, logger: logger
        )
        return BackendServices(
            manager: manager, analytics: analytics, managerPort: managerPort, analyticsPort: analyticsPort, store: store,
            admission: gates, metrics: metrics
        )
    }
}
