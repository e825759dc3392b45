import Foundation

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
