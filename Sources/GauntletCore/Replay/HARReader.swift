import Foundation

/// Reads HAR 1.2 files, as browsers' devtools export them ("Save all as HAR").
///
/// A HAR is one JSON document, so it is decoded whole (devtools exports are a browser session, not a
/// day of traffic); entries are then handed out one at a time like the other readers'. A HAR is one
/// browser, so all its entries share one client key and replay as one virtual user.
public struct HARReader {
    public let name: String
    private let entries: [HARFile.Entry]
    private var index = 0
    public let strict: Bool
    public private(set) var skipped = SkippedLines()

    /// Decodes `data`; the error says where the JSON is broken or which field has the wrong shape.
    public init(name: String, data: Data, strict: Bool = false) throws(ReplayIssue) {
        self.name = name
        self.strict = strict
        do {
            let file = try JSONDecoder().decode(HARFile.self, from: data)
            entries = file.log.entries
        } catch let error as DecodingError {
            throw HARReader.issue(for: error, file: name, data: data)
        } catch {
            throw ReplayIssue(file: name, line: 0, message: "not a HAR file: \(error)")
        }
    }

    public init(path: String, strict: Bool = false) throws(ReplayIssue) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReplayIssue(file: path, line: 0, message: "the file does not exist or cannot be read")
        }
        try self.init(name: path, data: data, strict: strict)
    }

    public var entryCount: Int { entries.count }

    /// The next entry as a recorded request; entries that cannot be replayed (no usable URL, a
    /// `data:` or `chrome-extension:` URL) are skipped and counted.
    public mutating func next() throws(ReplayIssue) -> RecordedRequest? {
        while index < entries.count {
            let entry = entries[index]
            index += 1
            let position = RecordedRequest.Position(file: name, line: index)
            let problem: String
            if let time = ISO8601Time.parse(entry.startedDateTime) {
                if let parts = URLParts(entry.request.url), parts.scheme == "http" || parts.scheme == "https" {
                    let wait = entry.timings?.wait.flatMap { $0 >= 0 ? $0 / 1000 : nil }
                    return RecordedRequest(
                        time: time, method: entry.request.method.uppercased(), scheme: parts.scheme, host: parts.host,
                        pathAndQuery: parts.pathAndQuery, status: entry.response.status > 0 ? entry.response.status : nil,
                        clientKey: "har:\(name)", processingTime: wait, body: entry.request.postData?.text, position: position
                    )
                }
                problem = "log.entries[\(index - 1)].request.url: expected an http(s) URL, got \"\(entry.request.url.prefix(80))\""
            } else {
                problem = "log.entries[\(index - 1)].startedDateTime: expected an ISO 8601 time, got \"\(entry.startedDateTime)\""
            }
            let issue = ReplayIssue(file: name, line: index, message: problem)
            if strict { throw issue }
            skipped.record(issue)
        }
        return nil
    }

    static func issue(for error: DecodingError, file: String, data: Data) -> ReplayIssue {
        func path(_ codingPath: [any CodingKey]) -> String {
            var text = ""
            for key in codingPath {
                if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
            return text.isEmpty ? "(top level)" : text
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            // Not JSON at all: find where it breaks, so the message has a line and column.
            let (line, column, reason) = JSONSyntaxCheck.firstError(in: data)
            return ReplayIssue(file: file, line: line, column: column, message: "not a HAR file: the JSON is invalid: \(reason)")
        case .dataCorrupted(let context):
            return ReplayIssue(file: file, line: 0, message: "\(path(context.codingPath)): \(context.debugDescription)")
        case .keyNotFound(let key, let context):
            return ReplayIssue(file: file, line: 0, message: "\(path(context.codingPath + [key])): missing; a HAR 1.2 file needs it")
        case .typeMismatch(let type, let context):
            return ReplayIssue(file: file, line: 0, message: "\(path(context.codingPath)): expected \(type)")
        case .valueNotFound(let type, let context):
            return ReplayIssue(file: file, line: 0, message: "\(path(context.codingPath)): expected \(type), got null")
        @unknown default:
            return ReplayIssue(file: file, line: 0, message: "not a HAR file: \(error)")
        }
    }
}

/// The parts of HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) that replay uses.
public struct HARFile: Codable, Sendable {
    public struct Log: Codable, Sendable {
        public var version: String?
        public var entries: [Entry]
    }

    public struct Header: Codable, Sendable {
        public var name: String
        public var value: String
    }

    public struct Request: Codable, Sendable {
        public var method: String
        public var url: String
        public var headers: [Header]?
        public var postData: PostData?
    }

    /// The body a browser sent (a fetch's JSON, a form), as devtools recorded it.
    public struct PostData: Codable, Sendable {
        public var mimeType: String?
        public var text: String?
    }

    public struct Response: Codable, Sendable {
        public var status: Int
    }

    /// Milliseconds; -1 where a phase does not apply.
    public struct Timings: Codable, Sendable {
        public var blocked: Double?
        public var dns: Double?
        public var connect: Double?
        public var ssl: Double?
        public var send: Double?
        public var wait: Double?
        public var receive: Double?
    }

    public struct Entry: Codable, Sendable {
        public var startedDateTime: String
        /// Total time in milliseconds.
        public var time: Double?
        public var request: Request
        public var response: Response
        public var timings: Timings?
        public var pageref: String?
    }

    public var log: Log
}
