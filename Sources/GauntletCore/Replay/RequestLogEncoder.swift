/// Writes `requests.jsonl` lines (the format `RequestLogRecord` documents and `replay` reads) straight
/// into a byte buffer: the driver logs every request when asked, and `JSONEncoder` per request would cost
/// more than the request. Output decodes as a `RequestLogRecord`; tested against it.
public struct RequestLogEncoder: Sendable {
    /// Lines not yet handed over.
    public private(set) var buffer: [UInt8] = []

    public init() {}

    /// Appends one line.
    public mutating func append(_ record: RequestLogRecord) {
        var line = "{\"t\":\(record.intendedTime),\"type\":\"\(record.type.rawValue)\",\"method\":"
        Self.appendString(record.method, to: &line)
        line += ",\"url\":"
        Self.appendString(record.url, to: &line)
        line += ",\"status\":" + (record.status.map(String.init) ?? "null")
        line += ",\"latency\":" + (record.latency.map { "\($0)" } ?? "null")
        line += ",\"service_time\":" + (record.serviceTime.map { "\($0)" } ?? "null")
        line += ",\"user\":"
        Self.appendString(record.user, to: &line)
        line += ",\"role\":"
        Self.appendString(record.role?.rawValue, to: &line)
        line += ",\"error\":"
        Self.appendString(record.error, to: &line)
        line += ",\"phase\":"
        Self.appendString(record.phase, to: &line)
        line += "}\n"
        buffer.append(contentsOf: line.utf8)
    }

    /// Hands over the lines written so far.
    public mutating func take() -> [UInt8] {
        defer { buffer.removeAll(keepingCapacity: true) }
        return buffer
    }

    /// A JSON string (or `null`), escaped as RFC 8259 requires.
    static func appendString(_ text: String?, to line: inout String) {
        guard let text else {
            line += "null"
            return
        }
        line += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                line += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }
}
