import Foundation
import HTTPTypes
import Hummingbird

/// A JSON error every API path answers with: `{"error": {"code": "...", "message": "..."}}`.
///
/// `code` is stable and machine-readable; `message` says what was wrong and what was expected.
public struct APIError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// The request field the error is about, when there is one.
    public var field: String?

    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    public static func invalid(_ field: String, _ message: String) -> APIError {
        APIError(.badRequest, code: "invalid_\(field)", message: message, field: field)
    }

    public static func notFound(_ what: String) -> APIError {
        APIError(.notFound, code: "not_found", message: what)
    }

    struct Body: Codable, Equatable {
        struct Detail: Codable, Equatable {
            var code: String
            var message: String
            var field: String?
        }
        var error: Detail
    }

    func response(headers extra: HTTPFields = [:]) -> Response {
        let json = (try? JSONEncoder().encode(Body(error: .init(code: code, message: message, field: field)))) ?? Data("{}".utf8)
        var headers = extra
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
    }
}
