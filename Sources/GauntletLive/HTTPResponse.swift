/// A complete response of the live endpoint. Every one closes its connection (`Connection: close`):
/// the endpoint serves a page, an event stream and scrapes, where keeping connections buys nothing and
/// closing keeps the server's state small.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    public var fields: [HTTPRequestHead.Field]

    public init(status: Int, contentType: String, body: [UInt8], fields: [HTTPRequestHead.Field] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.fields = fields
    }

    public init(status: Int, contentType: String, text: String, fields: [HTTPRequestHead.Field] = []) {
        self.init(status: status, contentType: contentType, body: Array(text.utf8), fields: fields)
    }

    /// A plain-text error that says what went wrong.
    public static func error(_ status: Int, _ message: String, fields: [HTTPRequestHead.Field] = []) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/plain; charset=utf-8", text: "\(status) \(reason(status)): \(message)\n", fields: fields)
    }

    /// The bytes on the wire; a response to HEAD has the head only (with the body's length).
    public func serialized(includeBody: Bool = true) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
        head += "Connection: close\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
        for field in fields { head += "\(field.name): \(field.value)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + (includeBody ? body : [])
    }

    /// The head that opens a `text/event-stream`, which has no length: it ends when the connection does.
    public static func eventStreamHead() -> [UInt8] {
        Array("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\nConnection: close\r\nX-Accel-Buffering: no\r\n\r\n".utf8)
    }

    public static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 413: "Content Too Large"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status"
        }
    }
}
