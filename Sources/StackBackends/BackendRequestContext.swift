import Hummingbird

/// The request context of both backends: Hummingbird's core storage plus the user the
/// verification middleware established, so handlers never re-read the headers.
public struct BackendRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var user: VerifiedUser?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.user = nil
    }

    /// The verified user; the middleware guarantees one reaches every handler.
    public func requireUser() throws -> VerifiedUser {
        guard let user else { throw APIError(.unauthorized, code: "unauthenticated", message: "no verified user on this request") }
        return user
    }
}
