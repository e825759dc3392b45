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
    var redirectURL: String?
    var errorReason: String?

    static func text(_ status: Int, _ message: String, contentType: String = "text/html; charset=utf-8") -> EdgeResponse {
        EdgeResponse(status: status, headers: [("Content-Type", contentType)], body: ByteBuffer(string: message))
    }

    /// ALB's own error pages are small HTML documents with the status line as their title.
    static func albError(_ status: Int, errorReason: String? = nil) -> EdgeResponse {
        let reason = HTTPResponse.Status(code: status).reasonPhrase
        let title = "\(status) \(reason.isEmpty ? Self.customReason(status) : reason)"
        var response = text(status, "<html>\r\n<head><title>\(title)</title></head>\r\n<body>\r\n<center><h1>\(title)</h1></center>\r\n</body>\r\n</html>\r\n")
        response.errorReason = errorReason
        return response
    }

    static func customReason(_ status: Int) -> String {
        status == 561 ? "Authorization Required" : "Error"
    }
}
