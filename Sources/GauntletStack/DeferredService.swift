import ServiceLifecycle

/// A service built only when the group runs, after what it needs exists: typically another component's
/// real port. The load balancer needs the identity provider's URL, which with port 0 is known only once
/// that listener is bound; wrapping the load balancer in a `DeferredService` whose `build` first awaits
/// `identity.bound.value()` lets both live in one `ServiceGroup` and still take plain URLs in their config.
///
/// Graceful shutdown reaches the built service: it runs inside this service's task, so it sees the same
/// shutdown signal. If `build` throws, the group shuts down and `ReferenceStack.start` reports the error.
public struct DeferredService: Service {
    private let build: @Sendable () async throws -> any Service

    public init(_ build: @escaping @Sendable () async throws -> any Service) {
        self.build = build
    }

    public func run() async throws {
        let service = try await build()
        try await service.run()
    }
}
