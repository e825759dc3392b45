/// How a recorded ALB client becomes a `clientKey`. ALB logs carry no session cookie, so the best
/// available identity is the client address, refined by the user agent (several browsers behind one
/// NAT) or narrowed to one TCP connection.
public enum ALBClientIdentity: String, Sendable, CaseIterable {
    case address
    case addressAndUserAgent = "address+agent"
    case connection
}

/// Streams `RecordedRequest`s out of an ALB access log (plain; wrap the source for `.gz`).
///
/// A malformed line is skipped and counted, with its file, line and column kept as an example; with
/// `strict` the first one is thrown instead. Blank lines are ignored.
public struct ALBLogReader<Source: ByteChunkSource> {
    private var lines: LineSplitter<Source>
    public let strict: Bool
    public let identity: ALBClientIdentity
    public private(set) var skipped = SkippedLines()
    public private(set) var recordsRead = 0

    public init(_ source: Source, strict: Bool = false, identity: ALBClientIdentity = .addressAndUserAgent) {
        self.lines = LineSplitter(source)
        self.strict = strict
        self.identity = identity
    }

    public var name: String { lines.source.name }

    /// The next well-formed record with its line number, or nil at the end of the log.
    public mutating func nextRecord() throws(ReplayIssue) -> (record: ALBLogRecord, line: Int)? {
        while let line = try lines.nextLine() {
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            do {
                let record = try ALBLogParser.parse(line)
                recordsRead += 1
                return (record, lines.lineNumber)
            } catch {
                let issue = ReplayIssue(file: name, line: lines.lineNumber, column: error.column, message: error.message)
                if strict { throw issue }
                skipped.record(issue)
            }
        }
        return nil
    }

    /// The next request, mapped onto the common form. A record whose request line the LB could not
    /// parse (`- - -`) cannot be replayed and counts as skipped.
    public mutating func next() throws(ReplayIssue) -> RecordedRequest? {
        while let (record, line) = try nextRecord() {
            if let request = RecordedRequest(alb: record, position: .init(file: name, line: line), identity: identity) {
                return request
            }
            let issue = ReplayIssue(file: name, line: line, message: "request: the load balancer could not parse this request (\"- - -\"); it cannot be replayed")
            if strict { throw issue }
            skipped.record(issue)
        }
        return nil
    }
}

extension RecordedRequest {
    /// Maps an ALB record; nil when its request line holds no method or URL.
    public init?(alb record: ALBLogRecord, position: Position, identity: ALBClientIdentity = .addressAndUserAgent) {
        guard let method = record.request.method, let url = record.request.url, let parts = URLParts(url) else { return nil }
        let clientKey = switch identity {
        case .address: record.client.address
        case .addressAndUserAgent: "\(record.client.address)|\(record.userAgent ?? "-")"
        case .connection: record.client.description
        }
        // request_creation_time is when the request arrived; fall back to the response time minus the
        // time the LB spent on it.
        let sent = record.requestCreationTime ?? (record.time - (record.totalProcessingTime ?? 0))
        self.init(
            time: sent, method: method, scheme: parts.scheme, host: parts.host.isEmpty ? (record.domainName ?? "") : parts.host,
            pathAndQuery: parts.pathAndQuery, status: record.elbStatusCode, clientKey: clientKey,
            processingTime: record.totalProcessingTime, position: position
        )
        if record.isLoadBalancerRefusal { role = ReplayClassifier.role(refusedOn: path) }
    }
}

extension ALBLogRecord {
    /// The LB answered 403 itself: its rule's fixed response ran and no target saw the request. Replaying
    /// such a line as a user whose role fits the path would turn the recorded refusal into a 200.
    public var isLoadBalancerRefusal: Bool {
        elbStatusCode == 403 && targetStatusCode == nil && actionsExecuted.contains("fixed-response")
    }
}
