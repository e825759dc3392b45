import Foundation
import HTTPTypes
import Hummingbird

/// Outermost layer: stamps `X-Served-By` on every response, including errors, and turns any error
/// into a JSON body so no path leaks Hummingbird's default error text or drops the header.
struct ServedByMiddleware: RouterMiddleware {
    typealias Context = BackendRequestContext
    let name: String

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = error.response()
        } catch let error as HTTPError {
            response = APIError(error.status, code: Self.code(for: error.status), message: error.body ?? error.status.reasonPhrase)
                .response(headers: error.headers)
        } catch let error as DecodingError {
            response = APIError(.badRequest, code: "invalid_json", message: Self.describe(error)).response()
        } catch {
            context.logger.error("unhandled error: \(error)")
            response = APIError(.internalServerError, code: "internal", message: "internal error").response()
        }
        response.headers[.xServedBy] = name
        return response
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "bad_request"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 413: "payload_too_large"
        default: "http_\(status.code)"
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .typeMismatch(let type, let context): return "field '\(path(context))' must be \(type)"
        case .valueNotFound(let type, let context): return "field '\(path(context))' must be a \(type), not null"
        case .keyNotFound(let key, let context):
            let prefix = path(context)
            return "field '\(prefix.isEmpty ? key.stringValue : prefix + "." + key.stringValue)' is required"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "request body is not valid JSON" : "field '\(path(context))': \(context.debugDescription)"
        @unknown default: return "request body could not be decoded"
        }
    }
}
