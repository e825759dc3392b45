import Hummingbird
import NIOCore

/// What the LB answers, before the common decorations (Server-Timing, cookies) and the access-log record.
struct EdgeResponse: Sendable {
    var status: Int
    var headers: [(String, String)] = []
    var body: ByteBuffer = ByteBuffer()
    /// Access-log extras.
    var target: String?
    var targetStatus: Int?
    var targetGroup: String?
    var targetSeconds: Double = -1
    /// Seconds from receipt until the request went to the target (rules, auth, body), for `request_processing_time`.
    var dispatchSeconds: Double = -1
    var redirectURL: String?
    var errorReason: String?

    static func text(_ status: Int, _ message: String, contentType: String = "text/html; charset=utf-8") -> EdgeResponse {
        EdgeResponse(status: status, headers: [("Content-Type", contentType)], body: ByteBuffer(string: message))
    }

    /// ALB's own error pages are small HTML documents with the status line as their title.
    static func albError(_ status: Int, errorReason: String? = nil) -> EdgeResponse {
        let title = "\(status) \(reasonPhrase(status))"
        var response = text(status, "<html>\r\n<head><title>\(title)</title></head>\r\n<body>\r\n<center><h1>\(title)</h1></center>\r\n</body>\r\n</html>\r\n")
        response.errorReason = errorReason
        return response
    }

    /// The reason phrases ALB's own responses use.
    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 400: return "Bad Request"
        case 401, 561: return "Authorization Required"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 413: return "Request Entity Too Large"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Temporarily Unavailable"
        case 504: return "Gateway Time-out"
        default: return HTTPResponse.Status(code: status).reasonPhrase.isEmpty ? "Status \(status)" : HTTPResponse.Status(code: status).reasonPhrase
        }
    }
}
