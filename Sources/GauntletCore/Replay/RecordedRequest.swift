/// A request as some source recorded it, whatever the source: the common currency of replay.
public struct RecordedRequest: Sendable, Equatable {
    /// Where in which source the request was read, for error messages and "what changed" examples.
    public struct Position: Sendable, Equatable, CustomStringConvertible {
        public var file: String
        /// 1-based line (ALB and Gauntlet logs) or 1-based entry index (HAR).
        public var line: Int

        public init(file: String, line: Int) {
            self.file = file
            self.line = line
        }

        public var description: String { "\(file):\(line)" }
    }

    /// When the client sent the request, in seconds. Epoch seconds for ALB and HAR sources, seconds
    /// since the run's start for Gauntlet's own logs: replay only uses differences.
    public var time: Double
    public var method: String
    /// `http` or `https` when the source says.
    public var scheme: String?
    /// Lower-cased, without the port.
    public var host: String
    /// Path and query as sent, e.g. `/manager/api/users?page=2`.
    public var pathAndQuery: String
    /// The status the client got; nil when it got none (a failed connection, a HAR entry with status 0).
    public var status: Int?
    /// Identifies the recorded client or session, so that it maps onto one virtual user.
    public var clientKey: String
    /// Time the server spent, when the source knows it (ALB: the three processing times; HAR: `wait`;
    /// Gauntlet: the service time).
    public var processingTime: Double?
    /// The role, when the source knows it outright (Gauntlet's own log); otherwise the path may tell.
    public var role: Role?
    /// The request type, when the source knows it outright (Gauntlet's own log); otherwise host and
    /// path decide (`ReplayClassifier`).
    public var type: RequestType?
    /// The request body as recorded (a HAR's `postData.text`), so that a replayed fetch sends what the
    /// browser sent; nil when the source does not record bodies.
    public var body: String?
    public var position: Position

    public init(
        time: Double, method: String, scheme: String? = nil, host: String, pathAndQuery: String,
        status: Int?, clientKey: String, processingTime: Double? = nil, role: Role? = nil, type: RequestType? = nil,
        body: String? = nil, position: Position
    ) {
        self.time = time
        self.method = method
        self.scheme = scheme
        self.host = host.lowercased()
        self.pathAndQuery = pathAndQuery.isEmpty ? "/" : pathAndQuery
        self.status = status
        self.clientKey = clientKey
        self.processingTime = processingTime
        self.role = role
        self.type = type
        self.body = body
        self.position = position
    }

    /// The path without the query.
    public var path: String {
        guard let query = pathAndQuery.firstIndex(of: "?") else { return pathAndQuery }
        return String(pathAndQuery[..<query])
    }
}

/// The parts of an absolute URL that replay needs, split without Foundation's URL (which rejects
/// some of what real logs hold, e.g. unencoded `|` in a query).
public struct URLParts: Sendable, Equatable {
    public var scheme: String?
    public var host: String
    public var port: Int?
    public var pathAndQuery: String

    public init(scheme: String?, host: String, port: Int?, pathAndQuery: String) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.pathAndQuery = pathAndQuery
    }

    /// Splits `https://host:443/path?q`; a bare `/path?q` gives an empty host. nil when the text is
    /// neither an absolute URL nor an absolute path.
    public init?(_ text: String) {
        if text.hasPrefix("/") {
            self.init(scheme: nil, host: "", port: nil, pathAndQuery: text)
            return
        }
        guard let schemeEnd = text.range(of: "://") else { return nil }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else { return nil }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host = Substring(authority)
        var port: Int?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()) else { return nil }
                port = value
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let value = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = value
        }
        guard !host.isEmpty else { return nil }
        var pathAndQuery = String(rest[authorityEnd...])
        if let fragment = pathAndQuery.firstIndex(of: "#") { pathAndQuery = String(pathAndQuery[..<fragment]) }
        if pathAndQuery.hasPrefix("?") || pathAndQuery.isEmpty { pathAndQuery = "/" + pathAndQuery }
        self.init(scheme: scheme, host: host.lowercased(), port: port, pathAndQuery: pathAndQuery)
    }
}
