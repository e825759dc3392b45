/// Parses one ALB access-log line into an `ALBLogRecord`.
///
/// The line is space-separated; some fields are double-quoted (and may hold spaces), with `\"`, `\\`
/// and `\xHH` (a raw byte) escaped inside. Any field may appear quoted or bare — list fields such as `actions_executed`
/// have been written both ways — so the parser accepts either everywhere.
public enum ALBLogParser {
    /// A problem with a line, at a 1-based column (0: the line as a whole).
    public struct Failure: Error, Sendable, Equatable {
        public var column: Int
        public var message: String
    }

    struct Token {
        var text: String
        var quoted: Bool
        var column: Int
    }

    public static func parse(_ line: String) throws(Failure) -> ALBLogRecord {
        let tokens = try tokenize(line)
        guard tokens.count >= ALBLogRecord.minimumFieldCount else {
            let missing = ALBLogRecord.fieldNames[tokens.count]
            throw Failure(
                column: 0,
                message: "the line has \(tokens.count) fields, an ALB access-log line has at least \(ALBLogRecord.minimumFieldCount) (it ends before \(missing); truncated?)"
            )
        }
        let fields = FieldReader(tokens: tokens)
        let typeText = try fields.required(0)
        guard let time = try fields.timestamp(1) else { throw fields.failure(1, "expected an ISO 8601 time, got \"-\"") }
        guard let client = try fields.endpoint(3) else { throw fields.failure(3, "expected the client's ip:port, got \"-\"") }
        let record = ALBLogRecord(
            type: ALBLogRecord.ConnectionType(typeText),
            time: time,
            elb: try fields.required(2),
            client: client,
            target: try fields.endpoint(4),
            requestProcessingTime: try fields.processingTime(5),
            targetProcessingTime: try fields.processingTime(6),
            responseProcessingTime: try fields.processingTime(7),
            elbStatusCode: try fields.status(8),
            targetStatusCode: try fields.status(9),
            receivedBytes: try fields.integer(10) ?? 0,
            sentBytes: try fields.integer(11) ?? 0,
            request: try fields.requestLine(12),
            userAgent: fields.optional(13),
            sslCipher: fields.optional(14),
            sslProtocol: fields.optional(15),
            targetGroupARN: fields.optional(16),
            traceID: fields.optional(17),
            domainName: fields.optional(18),
            chosenCertARN: fields.optional(19),
            matchedRulePriority: try fields.integer(20),
            requestCreationTime: try fields.timestamp(21),
            actionsExecuted: fields.list(22, separator: ","),
            redirectURL: fields.optional(23),
            errorReason: fields.optional(24),
            targetPortList: fields.list(25, separator: " "),
            targetStatusCodeList: try fields.statusList(26),
            classification: fields.optional(27),
            classificationReason: fields.optional(28),
            connTraceID: fields.optional(29),
            transformedHost: fields.optional(30),
            transformedURI: fields.optional(31),
            requestTransformStatus: fields.optional(32)
        )
        return record
    }

    static func tokenize(_ line: String) throws(Failure) -> [Token] {
        let bytes = Array(line.utf8)
        var tokens: [Token] = []
        var index = 0
        let space = UInt8(ascii: " "), quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        while index < bytes.count {
            if bytes[index] == space {
                index += 1
                continue
            }
            let column = index + 1
            if bytes[index] == quote {
                var text: [UInt8] = []
                index += 1
                var closed = false
                while index < bytes.count {
                    let byte = bytes[index]
                    if byte == backslash, index + 1 < bytes.count,
                       bytes[index + 1] == quote || bytes[index + 1] == backslash {
                        text.append(bytes[index + 1])
                        index += 2
                    } else if byte == backslash, index + 3 < bytes.count, bytes[index + 1] == UInt8(ascii: "x"),
                              let high = hexValue(bytes[index + 2]), let low = hexValue(bytes[index + 3]) {
                        // `\xHH`: a byte the writer escaped (control or non-ASCII characters).
                        text.append(high << 4 | low)
                        index += 4
                    } else if byte == quote {
                        closed = true
                        index += 1
                        break
                    } else {
                        text.append(byte)
                        index += 1
                    }
                }
                let name = fieldName(tokens.count)
                guard closed else {
                    throw Failure(column: column, message: "the quoted \(name) field opened here is never closed (a missing quote?)")
                }
                guard index == bytes.count || bytes[index] == space else {
                    throw Failure(column: index + 1, message: "expected a space after the closing quote of the \(name) field")
                }
                tokens.append(Token(text: String(decoding: text, as: UTF8.self), quoted: true, column: column))
            } else {
                let start = index
                while index < bytes.count, bytes[index] != space { index += 1 }
                if let stray = bytes[start..<index].firstIndex(of: quote) {
                    throw Failure(column: stray + 1, message: "a quote inside the unquoted \(fieldName(tokens.count)) field (a missing space or quote?)")
                }
                tokens.append(Token(text: String(decoding: bytes[start..<index], as: UTF8.self), quoted: false, column: column))
            }
        }
        return tokens
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static func fieldName(_ index: Int) -> String {
        index < ALBLogRecord.fieldNames.count ? ALBLogRecord.fieldNames[index] : "extra (#\(index + 1))"
    }

    /// Reads typed fields out of the tokens, each failure naming the field and its column.
    struct FieldReader {
        let tokens: [Token]

        func failure(_ index: Int, _ message: String) -> Failure {
            Failure(column: tokens[index].column, message: "\(ALBLogParser.fieldName(index)): \(message)")
        }

        func required(_ index: Int) throws(Failure) -> String {
            guard let value = optional(index) else { throw failure(index, "expected a value, got \"-\"") }
            return value
        }

        /// The field's text, nil for `-` (or an empty quoted string) or when the line ends before it.
        func optional(_ index: Int) -> String? {
            guard index < tokens.count else { return nil }
            let text = tokens[index].text
            return text == "-" || text.isEmpty ? nil : text
        }

        func integer(_ index: Int) throws(Failure) -> Int? {
            guard let text = optional(index) else { return nil }
            guard let value = Int(text) else { throw failure(index, "expected a whole number, got \"\(text)\"") }
            return value
        }

        func status(_ index: Int) throws(Failure) -> Int? {
            guard let text = optional(index) else { return nil }
            guard let value = Int(text), (0...999).contains(value) else {
                throw failure(index, "expected an HTTP status code, got \"\(text)\"")
            }
            return value
        }

        func processingTime(_ index: Int) throws(Failure) -> Double? {
            guard let text = optional(index) else { return nil }
            guard let value = Double(text), value.isFinite else {
                throw failure(index, "expected seconds (or -1), got \"\(text)\"")
            }
            return value < 0 ? nil : value
        }

        func timestamp(_ index: Int) throws(Failure) -> Double? {
            guard let text = optional(index) else { return nil }
            guard let value = ISO8601Time.parse(text) else {
                throw failure(index, "expected an ISO 8601 time such as 2018-07-02T22:23:00.186641Z, got \"\(text)\"")
            }
            return value
        }

        func endpoint(_ index: Int) throws(Failure) -> ALBLogRecord.Endpoint? {
            guard let text = optional(index) else { return nil }
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                  (0...65535).contains(port), colon > text.startIndex
            else { throw failure(index, "expected ip:port, got \"\(text)\"") }
            return ALBLogRecord.Endpoint(address: String(text[..<colon]), port: port)
        }

        func list(_ index: Int, separator: Character) -> [String] {
            guard let text = optional(index) else { return [] }
            return text.split(separator: separator).map(String.init).filter { $0 != "-" }
        }

        func statusList(_ index: Int) throws(Failure) -> [Int] {
            var codes: [Int] = []
            for item in list(index, separator: " ") {
                guard let code = Int(item) else { throw failure(index, "expected status codes, got \"\(item)\"") }
                codes.append(code)
            }
            return codes
        }

        func requestLine(_ index: Int) throws(Failure) -> ALBLogRecord.RequestLine {
            let text = tokens[index].text
            let parts = text.split(separator: " ").map(String.init)
            // `- - - ` is how the LB logs a request it could not parse.
            func value(_ part: String) -> String? { part == "-" || part.isEmpty ? nil : part }
            guard parts.count >= 3 else {
                throw failure(index, "expected \"METHOD URL HTTP/VERSION\", got \"\(text)\"")
            }
            // A URL never holds a raw space, but tolerate one by joining the middle parts.
            let url = parts[1..<(parts.count - 1)].joined(separator: " ")
            return ALBLogRecord.RequestLine(method: value(parts[0]), url: value(url), httpVersion: value(parts[parts.count - 1]))
        }
    }
}
