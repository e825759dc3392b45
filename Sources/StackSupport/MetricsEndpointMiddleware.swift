import Hummingbird

/// Answers `GET /metrics` with a component's ``StackMetrics`` before any other middleware (authentication
/// included) sees the request, as a metrics agent inside a private subnet would scrape it.
public struct MetricsEndpointMiddleware<Context: RequestContext>: RouterMiddleware {
    public let metrics: StackMetrics
    public let path: String

    public init(metrics: StackMetrics, path: String = "/metrics") {
        self.metrics = metrics
        self.path = path
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get, request.uri.path == path else { return try await next(request, context) }
        var headers = HTTPFields()
        headers[.contentType] = StackMetrics.contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(string: metrics.render())))
    }
}
