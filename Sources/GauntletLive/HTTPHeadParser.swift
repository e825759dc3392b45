/// A request head, as the live endpoint's server reads it.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: String
    /// The origin-form target, query included: `/metrics?x=1`.
    public var target: String
    public var version: String
    /// Header fields in order; names as sent.
    public var fields: [Field]

    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    /// The target without its query.
    public var path: Substring { target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0] }

    /// The first value of a field, by case-insensitive name.
    public func field(_ name: String) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Reads an HTTP/1.x request head from bytes as they arrive, bounded in size, and says what to answer
/// when the bytes are not one: a pure state machine, tested without sockets.
///
/// Lenient where RFC 9112 allows it (a bare LF ends a line), strict elsewhere: a malformed request line,
/// a field without a colon, whitespace before the colon, obsolete line folding or control characters
/// get 400; a head over `limit` bytes or `maxFields` fields gets 431; an HTTP version other than 1.0
/// and 1.1 gets 505; HTTP/1.1 without `Host` gets 400.
public struct HTTPHeadParser: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// The head is not complete yet: read more.
        case needMore
        case head(HTTPRequestHead)
        /// Answer `status` with `reason` and close.
        case reject(status: Int, reason: String)
    }

    public let limit: Int
    public let maxFields: Int
    private var buffer: [UInt8] = []
    /// Where the search for the blank line resumes: bytes before it hold no line end already seen twice.
    private var scanned = 0

    public init(limit: Int = 8192, maxFields: Int = 64) {
        self.limit = limit
        self.maxFields = maxFields
    }

    /// Adds bytes; returns the outcome so far. After `.head` or `.reject`, further bytes are not read.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> Outcome {
        buffer.append(contentsOf: bytes)
        // Skip blank lines before the request line (RFC 9112 §2.2 lets a server ignore them).
        while let first = buffer.first, first == 0x0D || first == 0x0A { buffer.removeFirst() }
        var index = max(scanned, 1)
        while index < buffer.count {
            if buffer[index] == 0x0A {
                let previous = buffer[index - 1] == 0x0D && index >= 2 ? buffer[index - 2] : buffer[index - 1]
                if previous == 0x0A { return parse(buffer[..<index]) }
            }
            index += 1
        }
        scanned = max(1, buffer.count)
        if buffer.count > limit { return .reject(status: 431, reason: "request head larger than \(limit) bytes") }
        return .needMore
    }

    private func parse(_ head: ArraySlice<UInt8>) -> Outcome {
        guard head.count <= limit else { return .reject(status: 431, reason: "request head larger than \(limit) bytes") }
        var lines: [Substring] = []
        for raw in head.split(separator: 0x0A, omittingEmptySubsequences: false) {
            var line = raw
            if line.last == 0x0D { line = line.dropLast() }
            if line.isEmpty { continue }
            guard line.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
                return .reject(status: 400, reason: "control characters in the request head")
            }
            lines.append(Substring(decoding: line, as: UTF8.self))
        }
        guard let requestLine = lines.first else { return .reject(status: 400, reason: "empty request") }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, let method = parts.first, !method.isEmpty, method.allSatisfy(Self.isTokenCharacter) else {
            return .reject(status: 400, reason: "malformed request line: expected METHOD TARGET HTTP/1.1")
        }
        let version = String(parts[2])
        guard version.hasPrefix("HTTP/"), version.count == 8 else {
            return .reject(status: 400, reason: "malformed request line: expected METHOD TARGET HTTP/1.1")
        }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            return .reject(status: 505, reason: "\(version) is not supported; use HTTP/1.1")
        }
        let target = String(parts[1])
        guard target.hasPrefix("/") else { return .reject(status: 400, reason: "the request target must be a path starting with /") }
        var fields: [HTTPRequestHead.Field] = []
        for line in lines.dropFirst() {
            guard fields.count < maxFields else { return .reject(status: 431, reason: "more than \(maxFields) header fields") }
            guard let colon = line.firstIndex(of: ":") else { return .reject(status: 400, reason: "header field without a colon") }
            let name = line[..<colon]
            guard !name.isEmpty, name.allSatisfy(Self.isTokenCharacter) else {
                return .reject(status: 400, reason: "malformed header field name (obsolete line folding or whitespace before the colon?)")
            }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: [" ", "\t"])
            fields.append(.init(name: String(name), value: value))
        }
        let request = HTTPRequestHead(method: String(method), target: target, version: version, fields: fields)
        if version == "HTTP/1.1", request.field("host") == nil { return .reject(status: 400, reason: "HTTP/1.1 requires a Host header field") }
        return .head(request)
    }

    /// RFC 9110 `tchar`.
    static func isTokenCharacter(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue, ascii > 0x20, ascii < 0x7F else { return false }
        return !"\"(),/:;<=>?@[\\]{}".contains(character)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
