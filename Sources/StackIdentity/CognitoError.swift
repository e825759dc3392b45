import Foundation
import HTTPTypes
import Hummingbird

/// An error in the shape Cognito's JSON-1.1 API returns: HTTP 400 (usually), `x-amzn-ErrorType: <Type>:`
/// and `{"__type": "<Type>", "message": "…"}`, which is what botocore parses into its exception classes.
public struct CognitoError: Error, Equatable {
    public let type: String
    public let message: String
    public let status: HTTPResponse.Status

    public init(_ type: String, _ message: String, status: HTTPResponse.Status = .badRequest) {
        self.type = type
        self.message = message
        self.status = status
    }

    static let wrongPassword = CognitoError("NotAuthorizedException", "Incorrect username or password.")
    static let throttled = CognitoError("TooManyRequestsException", "Too many requests")

    static func invalidParameter(_ message: String) -> CognitoError {
        CognitoError("InvalidParameterException", message)
    }

    /// AWS's validation message for a missing required member.
    static func missing(_ member: String) -> CognitoError {
        CognitoError(
            "InvalidParameterException",
            "1 validation error detected: Value null at '\(member)' failed to satisfy constraint: Member must not be null")
    }

    static func noSuchClient(_ id: String) -> CognitoError {
        CognitoError("ResourceNotFoundException", "User pool client \(id) does not exist.")
    }

    func response(requestId: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/x-amz-json-1.1"
        headers[HTTPField.Name("x-amzn-ErrorType")!] = "\(type):"
        headers[HTTPField.Name("x-amzn-RequestId")!] = requestId
        let body = (try? JSONSerialization.data(withJSONObject: ["__type": type, "message": message], options: [.sortedKeys])) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// An OAuth 2.0 error body (`{"error": "invalid_grant"}`), as Cognito's `/oauth2/token` returns it.
public struct OAuthError: Error, Equatable {
    public let error: String
    public let description: String?
    public let status: HTTPResponse.Status

    init(_ error: String, _ description: String? = nil, status: HTTPResponse.Status = .badRequest) {
        self.error = error
        self.description = description
        self.status = status
    }

    func response() -> Response {
        var object = ["error": error]
        if let description { object["error_description"] = description }
        var headers = HTTPFields()
        headers[.contentType] = "application/json;charset=UTF-8"
        headers[.cacheControl] = "no-store"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Basic realm=\"cognito\", error=\"\(error)\"" }
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

enum HTTPReply {
    static func json(_ object: Any, status: HTTPResponse.Status = .ok, contentType: String = "application/json") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok, extraHeaders: HTTPFields = [:]) -> Response {
        var headers = extraHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String, extraHeaders: HTTPFields = [:]) -> Response {
        var headers = extraHeaders
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .found, headers: headers)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}
