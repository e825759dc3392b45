import Foundation
import HTTPTypes
import Hummingbird

extension Request {
    /// Largest JSON body the Manager API accepts.
    static let maxJSONBody = 64 * 1024

    /// Decodes a JSON body, with a 415 for another media type, 413 past the cap and a 400 that
    /// names the bad field.
    func decodeJSON<T: Decodable>(_ type: T.Type) async throws -> T {
        let contentType = headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "Content-Type must be application/json; got '\(contentType.isEmpty ? "none" : contentType)'"
            )
        }
        let buffer: ByteBuffer
        do {
            var request = self
            buffer = try await request.collectBody(upTo: Self.maxJSONBody)
        } catch {
            throw APIError(.contentTooLarge, code: "payload_too_large", message: "request body exceeds \(Self.maxJSONBody) bytes")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw APIError(.badRequest, code: "invalid_json", message: ServedByMiddleware.describe(error))
        }
    }
}

enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    static func noContent() -> Response {
        Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }
}

enum HTMLResponse {
    static func make(_ html: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                // Everything is inline: nothing may load from elsewhere, and the pages talk only to their origin.
                .contentSecurityPolicy: "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html))
        )
    }
}
