import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import StackIdentity
import StackSupport
import StackUpload

/// Starts the reference stack: every component's listeners in one `ServiceGroup`.
///
/// Start order is construction order. A component is built from its config section, the shared
/// ``StackContext`` and the objects of components built before it (the load balancer takes the
/// `IdentityProvider` for its URL and the web client's secret; the upload gateway takes its `TokenIssuer`'s
/// JWKS). URLs of earlier components are read lazily (`bound.value()`), so all services can start together
/// on ephemeral ports. Plugging a component in is: build it in `assemble`, append its services and
/// `BoundPort`s, and fill its endpoint keys in `describe`. A component whose constructor wants another's
/// URL goes in a ``DeferredService``:
///
/// ```swift
/// let lbPort = BoundPort(name: "load balancer")
/// services.append(DeferredService {
///     let idp = "https://\(names.identityProvider):\(try await identity.bound.value())"
///     let web = identity.pool.clientsByName["web"]!
///     return try LoadBalancer(config: config.lb, idpURL: idp, clientId: web.clientId,
///                             clientSecret: web.clientSecret!, bound: lbPort, context: context).application()
/// })
/// ports.append(lbPort)
/// ```
///
/// The upload gateway can take `identity.tokens.jwksJSON()` and `identity.issuer` directly.
public enum ReferenceStack {
    /// Starts the stack in this process and returns once every listener is up.
    public static func start(
        config: StackConfig, stateDirectory: URL, handleSignals: Bool = false,
        logger: Logger = Logger(label: "gauntlet.stack")
    ) async throws -> RunningStack {
        let (subnet, signatureReason) = try await PrivateSubnet.start(config: config.vpc)
        let assembly: Assembly
        do {
            assembly = try await assemble(config: config, stateDirectory: stateDirectory, subnet: subnet, logger: logger)
        } catch {
            await subnet?.stop()
            throw error
        }
        let group = ServiceGroup(
            services: assembly.services,
            gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
            logger: logger)
        let ports = assembly.ports
        // The stack's one long-lived task, owned by `RunningStack` (which awaits it in `wait`/`shutdown`).
        let task = Task<Void, any Error> {
            do {
                try await group.run()
            } catch {
                for port in ports { port.fail(error) }
                throw error
            }
            for port in ports { port.fail(StackStartError.stoppedBeforeBinding(port.name)) }
        }
        do {
            for port in ports { _ = try await port.value() }
        } catch {
            await group.triggerGracefulShutdown()
            _ = await task.result
            await subnet?.stop()
            throw error
        }
        // Wiring that needs every port goes here (e.g. the load balancer's callback URL:
        // `identity.registerCallback(client: "web", url: "https://<lb>:<port>/oauth2/idpresponse")`).
        let endpoints = try assembly.describe()
        return RunningStack(
            endpoints: endpoints, identity: assembly.identity, upload: assembly.components.upload, group: group, task: task,
            subnet: subnet, signatureReason: signatureReason)
    }

    /// What `assemble` built: the services, one `BoundPort` per listener, and the components.
    struct Assembly {
        var context: StackContext
        var identity: IdentityProvider
        var components: StackComponents
        var services: [any Service]
        var ports: [BoundPort]

        func describe() throws -> StackEndpoints {
            var endpoints = StackEndpoints(
                caFile: context.ca.caFile.path, region: context.region, stateDir: context.stateDirectory.path)
            if let port = identity.bound.current {
                endpoints.urls.idp = identity.urlByName
                endpoints.direct.idp = identity.directURL
                endpoints.resolve.append("\(context.names.identityProvider):\(port):127.0.0.1")
            }
            endpoints.userPoolId = identity.poolId
            endpoints.issuer = identity.issuer
            endpoints.jwksUrl = identity.jwksURL
            for (name, client) in identity.pool.clientsByName {
                let scope = client.oauthFlows.contains("client_credentials") ? client.scopes.joined(separator: " ") : nil
                endpoints.clients[name] = .init(clientId: client.clientId, clientSecret: client.clientSecret, scope: scope)
            }
            endpoints.users = identity.pool.credentials
            components.describe(into: &endpoints, names: context.names)
            if let subnet = components.subnet {
                endpoints.isolation = .network
                endpoints.vpc = .init(
                    namespace: subnet.namespace.name, hostInterface: subnet.namespace.hostInterface,
                    linkAddress: VPCAddressPlan.linkInsideAddress, publicSubnet: VPCAddressPlan.publicSubnet,
                    privateSubnet: VPCAddressPlan.privateSubnet)
            }
            return endpoints
        }
    }

    static func assemble(config: StackConfig, stateDirectory: URL, subnet: PrivateSubnet?, logger: Logger) async throws -> Assembly {
        let names = config.names
        let ca = try StackCA.loadOrCreate(stateDirectory: stateDirectory, hostnames: names.all)
        let context = StackContext(
            names: names, ca: ca, stateDirectory: stateDirectory, seed: config.seed, region: config.region, logger: logger)

        let identity: IdentityProvider
        do {
            identity = try await IdentityProvider.make(config: config.identity, port: config.ports.idp, context: context)
        } catch let error as IdentitySetupError {
            throw StackConfigError(path: "identity", message: error.description)
        }
        let components = try await StackComponents.assemble(config: config, context: context, identity: identity, subnet: subnet, logger: logger)
        var services: [any Service] = [try identity.application(logger: logger)] + components.services
        // The drop counts join the identity provider's series, the stack's one `/metrics`.
        if let subnet { services.append(subnet.dropCounters(into: identity.stackMetrics)) }
        let ports = [identity.bound] + components.ports
        return Assembly(context: context, identity: identity, components: components, services: services, ports: ports)
    }
}

/// A stack running in this process. `endpoints` is complete (every listener is up) when you get it.
public final class RunningStack: Sendable {
    public let endpoints: StackEndpoints
    public let identity: IdentityProvider
    /// The upload gateway and its event store (also behind Analytics search).
    public let upload: UploadComponent
    /// Why the backends have only the signature layer (nil when they are in the private subnet).
    public let signatureReason: String?
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let subnet: PrivateSubnet?

    init(endpoints: StackEndpoints, identity: IdentityProvider, upload: UploadComponent, group: ServiceGroup, task: Task<Void, any Error>,
         subnet: PrivateSubnet?, signatureReason: String?) {
        self.endpoints = endpoints
        self.identity = identity
        self.upload = upload
        self.group = group
        self.task = task
        self.subnet = subnet
        self.signatureReason = signatureReason
    }

    /// The one line that says which isolation is in force, and why when it is only the signature layer.
    public var isolationLine: String {
        if let vpc = endpoints.vpc {
            return "isolation: network (the UIs are in \(vpc.privateSubnet) inside namespace \(vpc.namespace), behind security groups and a NACL)"
        }
        return "isolation: signature (\(signatureReason ?? "no private subnet")); the UI backends listen on 127.0.0.1 and refuse what the load balancer did not sign"
    }

    /// Stops every listener gracefully and waits until they are closed.
    public func shutdown() async throws {
        await group.triggerGracefulShutdown()
        let result = await task.result
        await upload.close()
        await subnet?.stop()
        try result.get()
    }

    /// Waits until the stack stops (a signal, when started with `handleSignals`).
    /// The event store is closed (its last group commit flushed) before this returns.
    public func wait() async throws {
        let task = self.task
        let result = await withTaskCancellationHandler {
            await task.result
        } onCancel: {
            task.cancel()
        }
        await upload.close()
        await subnet?.stop()
        try result.get()
    }
}
