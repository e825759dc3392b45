import Foundation
import Hummingbird
import Logging
import StackSupport

/// The upload gateway as a reference-stack component: its event store in `<state>/upload`, the gateway, and
/// a TLS listener for `upload.<tenant>.logs.<domain>` and 127.0.0.1 whose port is reported through `bound`.
///
/// Runner wiring: `let upload = try await UploadComponent.make(config: config.upload, port: config.ports.upload,
/// context: context, jwks: jwksJSON, issuer: identity.issuer)`, add `try upload.application(logger:)` to the
/// services and `upload.bound` to the ports; after the group has stopped, `await upload.close()`. Endpoints:
/// `urls.upload = upload.urlByName`, `direct.upload = upload.directURL`, `api_keys = upload.apiKeyValues`,
/// resolve `upload.resolveEntry`.
public final class UploadComponent: Sendable {
    public let gateway: UploadGateway
    public let store: EventStore
    public let bound: BoundPort
    public let names: StackNames
    let port: Int
    let tls: StackContext

    /// Opens (recovering) the store and builds the gateway. `port` overrides `config.port` (the stack's
    /// `ports.upload`); `issuer` overrides `config.issuer` (the identity provider's, so tokens are pinned to it).
    public static func make(
        config: UploadConfig, port: Int? = nil, context: StackContext, jwks: String?, issuer: String? = nil
    ) async throws -> UploadComponent {
        var config = config
        if let issuer, config.issuer == nil { config.issuer = issuer }
        let directory = context.stateDirectory.appendingPathComponent("upload").path
        let store = try EventStore(directory: directory, options: config.storeOptions)
        if store.recovery.droppedTailBytes > 0 {
            context.logger.warning(
                "upload: dropped a torn tail on recovery",
                metadata: ["bytes": "\(store.recovery.droppedTailBytes)", "events": "\(store.recovery.events)"])
        }
        do {
            let gateway = try await UploadGateway(
                config: config, store: store, jwks: jwks, stackSeed: context.seed, logger: context.logger)
            return UploadComponent(gateway: gateway, store: store, port: port ?? config.port, context: context)
        } catch {
            await store.close()
            throw error
        }
    }

    private init(gateway: UploadGateway, store: EventStore, port: Int, context: StackContext) {
        self.gateway = gateway
        self.store = store
        self.bound = BoundPort(name: "upload gateway")
        self.names = context.names
        self.port = port
        self.tls = context
    }

    /// The HTTPS listener (a `Service` for the runner's `ServiceGroup`).
    public func application(logger: Logger) throws -> Application<RouterResponder<BasicRequestContext>> {
        try TLSListener.application(
            router: gateway.buildRouter(), name: "upload-gateway", port: port, tls: try tls.serverTLS(), bound: bound,
            logger: logger)
    }

    /// Commits what is pending and stops the store's committer thread; call once the listener has stopped.
    public func close() async {
        await store.close()
    }

    public var urlByName: String? { bound.current.map { "https://\(names.upload):\($0)" } }
    public var directURL: String? { bound.current.map { "https://127.0.0.1:\($0)" } }
    public var resolveEntry: String? { bound.current.map { "\(names.upload):\($0):127.0.0.1" } }
    public var apiKeyValues: [String] { gateway.apiKeys.map(\.value) }
}
