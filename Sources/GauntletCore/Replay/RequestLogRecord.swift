import Foundation

/// One line of Gauntlet's own per-request log (`requests.jsonl`, written by `run` when asked), which
/// `replay` reads back.
///
/// Format: JSON Lines, UTF-8, one object per request, in the order requests completed:
///
/// ```json
/// {"t":12.5,"type":"api","method":"GET","url":"https://example.logs.gauntlet.test/manager/api/users",
///  "status":200,"latency":0.0123,"service_time":0.0118,"user":"managers-3","role":"managers",
///  "error":null,"phase":"steady"}
/// ```
///
/// | key | type | meaning |
/// |---|---|---|
/// | `t` | number | intended send time, seconds since the start of the run (warm-up included) |
/// | `type` | string | `upload`, `ui`, `api` or `http` |
/// | `method` | string | HTTP method |
/// | `url` | string | absolute URL as sent (or a path, for logs written against a relative target) |
/// | `status` | int or null | final status; null when no response arrived |
/// | `latency` | number or null | seconds from the intended send time to the response (coordinated-omission-corrected) |
/// | `service_time` | number or null | seconds from the actual send to the response (uncorrected) |
/// | `user` | string or null | the virtual user, e.g. `managers-3`; null for uploads by API key |
/// | `role` | string or null | `managers` or `analysts` |
/// | `error` | string or null | the error category (`dns`, `connect`, `tls`, `timeout`, `reset`, `status`, `oracle`, …) |
/// | `phase` | string or null | the scenario phase |
///
/// Unknown keys are ignored, so the driver may add fields without breaking older readers.
public struct RequestLogRecord: Codable, Sendable, Equatable {
    public var intendedTime: Double
    public var type: RequestType
    public var method: String
    public var url: String
    public var status: Int?
    public var latency: Double?
    public var serviceTime: Double?
    public var user: String?
    public var role: Role?
    public var error: String?
    public var phase: String?

    enum CodingKeys: String, CodingKey {
        case intendedTime = "t"
        case type, method, url, status, latency
        case serviceTime = "service_time"
        case user, role, error, phase
    }

    public init(
        intendedTime: Double, type: RequestType, method: String, url: String, status: Int?, latency: Double? = nil,
        serviceTime: Double? = nil, user: String? = nil, role: Role? = nil, error: String? = nil, phase: String? = nil
    ) {
        self.intendedTime = intendedTime
        self.type = type
        self.method = method
        self.url = url
        self.status = status
        self.latency = latency
        self.serviceTime = serviceTime
        self.user = user
        self.role = role
        self.error = error
        self.phase = phase
    }

    /// The record as one JSON line (no trailing newline), keys sorted so logs diff cleanly.
    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain values cannot fail.
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }
}

/// Streams `RecordedRequest`s out of a Gauntlet request log.
public struct RequestLogReader<Source: ByteChunkSource> {
    private var lines: LineSplitter<Source>
    private let decoder = JSONDecoder()
    public let strict: Bool
    public private(set) var skipped = SkippedLines()

    public init(_ source: Source, strict: Bool = false) {
        self.lines = LineSplitter(source)
        self.strict = strict
    }

    public var name: String { lines.source.name }

    public mutating func nextRecord() throws(ReplayIssue) -> (record: RequestLogRecord, line: Int)? {
        while let line = try lines.nextLine() {
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            do {
                return (try decoder.decode(RequestLogRecord.self, from: Data(line.utf8)), lines.lineNumber)
            } catch {
                let issue = RequestLogReader.issue(error, file: name, line: lines.lineNumber, text: line)
                if strict { throw issue }
                skipped.record(issue)
            }
        }
        return nil
    }

    public mutating func next() throws(ReplayIssue) -> RecordedRequest? {
        while let (record, line) = try nextRecord() {
            let position = RecordedRequest.Position(file: name, line: line)
            guard let parts = URLParts(record.url) else {
                let issue = ReplayIssue(file: name, line: line, message: "url: expected an absolute URL or path, got \"\(record.url)\"")
                if strict { throw issue }
                skipped.record(issue)
                continue
            }
            return RecordedRequest(
                time: record.intendedTime, method: record.method, scheme: parts.scheme, host: parts.host,
                pathAndQuery: parts.pathAndQuery, status: record.status, clientKey: record.user ?? "anonymous",
                processingTime: record.serviceTime, role: record.role, type: record.type, position: position
            )
        }
        return nil
    }

    static func issue(_ error: any Error, file: String, line: Int, text: String) -> ReplayIssue {
        guard let decoding = error as? DecodingError else {
            return ReplayIssue(file: file, line: line, message: "not a request-log record: \(error)")
        }
        switch decoding {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            let (_, column, reason) = JSONSyntaxCheck.firstError(in: Data(text.utf8))
            return ReplayIssue(file: file, line: line, column: column, message: "invalid JSON: \(reason)")
        case .keyNotFound(let key, _):
            return ReplayIssue(file: file, line: line, message: "\"\(key.stringValue)\": missing; every record needs t, type, method, url")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            return ReplayIssue(file: file, line: line, message: "\"\(key)\": \(context.debugDescription)")
        @unknown default:
            return ReplayIssue(file: file, line: line, message: "not a request-log record: \(error)")
        }
    }
}
