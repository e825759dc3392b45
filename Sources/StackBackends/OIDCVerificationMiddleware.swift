import Foundation
import Hummingbird

/// Refuses, with 401, any request without valid load-balancer headers for one of `allowedGroups`.
struct OIDCVerificationMiddleware: RouterMiddleware {
    typealias Context = BackendRequestContext
    let verifier: OIDCVerifier
    let now: @Sendable () -> Date

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let user: VerifiedUser
        do {
            user = try verifier.verify(
                data: request.headers[.amznOIDCData], accessToken: request.headers[.amznOIDCAccessToken],
                identity: request.headers[.amznOIDCIdentity], now: now()
            )
        } catch {
            context.logger.notice("refused: \(error.code): \(error)")
            throw APIError(.unauthorized, code: error.code, message: error.description)
        }
        var context = context
        context.user = user
        return try await next(request, context)
    }
}
