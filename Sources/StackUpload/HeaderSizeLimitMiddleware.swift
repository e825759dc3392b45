import HTTPTypes
import Hummingbird

/// API Gateway refuses a request line plus headers over 10,240 bytes; NIO's parser allows far more, so the
/// gateway counts them itself (as they were on the wire: `name: value\r\n`) and answers 431.
struct HeaderSizeLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var size = request.method.rawValue.utf8.count + 1 + request.uri.description.utf8.count + 11
        for field in request.headers {
            size += field.name.rawName.utf8.count + 2 + field.value.utf8.count + 2
        }
        if size > limit {
            return Response(
                status: .requestHeaderFieldsTooLarge,
                headers: [.contentType: "application/json", .connection: "close"],
                body: .init(byteBuffer: .init(string: "{\"message\":\"Request Header Fields Too Large: \(size) bytes, limit \(limit)\"}")))
        }
        return try await next(request, context)
    }
}
