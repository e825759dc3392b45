import HTTPTypes
import Hummingbird

/// API Gateway answers a path or method it does not define with 403 `{"message":"Missing Authentication
/// Token"}` (not 404), and clients and the harness's oracle expect that shape.
struct MissingRouteMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            return Response(
                status: .forbidden,
                headers: [.contentType: "application/json", HTTPField.Name("x-amzn-ErrorType")!: "MissingAuthenticationTokenException"],
                body: .init(byteBuffer: .init(string: "{\"message\":\"Missing Authentication Token\"}")))
        }
    }
}
