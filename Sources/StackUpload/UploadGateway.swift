import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The Upload API gateway (API Gateway stand-in): `POST /v1/events` into the `EventStore`.
///
/// Checks run in API Gateway's order (authorizer, API key, throttle, then the request itself), and a batch is
/// answered 202 only after the store's sync covered it. Error bodies are API Gateway's `{"message": …}`.
public struct UploadGateway: Sendable {
    public let config: UploadConfig
    public let store: EventStore
    let keysByValue: [String: String]
    let throttle: Throttle
    let bearer: BearerVerifier?
    let limits: EventBatchParser.Limits
    let clock: @Sendable () -> Double
    let logger: Logger

    /// - Parameters:
    ///   - jwks: the identity provider's JWKS document (JSON); needed when `config.requireBearer` is set, and
    ///     without it a Bearer token that is sent cannot be verified and is refused.
    ///   - clock: seconds on a monotonic clock, for the throttle; injectable for tests.
    public init(
        config: UploadConfig, store: EventStore, jwks: String?, stackSeed: UInt64 = 42,
        clock: @escaping @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 },
        logger: Logger = Logger(label: "upload-gateway")
    ) async throws {
        try config.validate()
        self.config = config
        self.store = store
        var keys: [String: String] = [:]
        let all = config.allAPIKeys(stackSeed: stackSeed)
        for key in all { keys[key.value] = key.name }
        self.apiKeys = all
        self.keysByValue = keys
        self.throttle = Throttle(rate: config.rateLimit, burst: config.burstLimit)
        if let jwks {
            self.bearer = try await BearerVerifier(jwksJSON: jwks, scope: config.uploadScope, issuer: config.issuer)
        } else {
            self.bearer = nil
        }
        var limits = EventBatchParser.Limits(maxEventBytes: config.maxEventBytes, maxEvents: config.maxEventsPerBatch)
        limits.maxSourceBytes = 256
        self.limits = limits
        self.clock = clock
        self.logger = logger
    }

    /// The API keys the gateway accepts (explicit, then demo), for the endpoints file.
    public let apiKeys: [UploadConfig.APIKey]

    /// A router with `POST /v1/events`, for the runner to serve over TLS (or tests over plain HTTP).
    public func buildRouter() -> Router<BasicRequestContext> {
        buildRouter(context: BasicRequestContext.self)
    }

    /// The same router for a request context of the runner's choosing.
    public func buildRouter<Context: RequestContext>(context: Context.Type) -> Router<Context> {
        let router = Router(context: Context.self)
        router.add(middleware: HeaderSizeLimitMiddleware(limit: config.maxHeaderBytes))
        router.post("/v1/events") { request, _ in
            await self.handleUpload(request)
        }
        return router
    }

    /// A plain-HTTP application on `config.host:config.port` (TLS is the runner's job, through StackSupport).
    public func buildApplication(
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: buildRouter(),
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: "upload-gateway"),
            onServerRunning: onServerRunning,
            logger: logger)
    }
}

extension HTTPField.Name {
    static let gatewayAPIKey = HTTPField.Name("x-api-key")!
    static let gatewayIdempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let amznErrorType = HTTPField.Name("x-amzn-ErrorType")!
    static let amznRequestID = HTTPField.Name("x-amzn-RequestId")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}
