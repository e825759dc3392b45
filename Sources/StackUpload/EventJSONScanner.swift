/// A validating JSON scanner over raw bytes, just enough for the gateway: it checks that an event is one
/// well-formed JSON object (RFC 8259, UTF-8) and picks out its top-level `timestamp` and `source` without
/// building a tree, so the stored event is the uploaded bytes themselves.
struct EventJSONScanner {
    struct ScanError: Error {
        var position: Int
        var problem: String
    }

    /// A top-level member's value as found: a string (unescaped), a number's text, or another kind.
    enum Value: Equatable {
        case string(String)
        case number(Double)
        case other(String)
    }

    struct Fields {
        var timestamp: Value?
        var source: Value?
    }

    static let maxDepth = 64

    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int
    let end: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) {
        self.bytes = bytes
        self.position = start
        self.end = end
    }

    mutating func skipWhitespace() {
        while position < end {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    var atEnd: Bool { position >= end }

    func peek() -> UInt8? { position < end ? bytes[position] : nil }

    func describeHere() -> String {
        guard let byte = peek() else { return "end of input" }
        if byte >= 0x21 && byte < 0x7f { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }

    func fail(_ problem: String) -> ScanError { ScanError(position: position, problem: problem) }

    /// Scans one object at the current position (after whitespace) and returns its interesting fields.
    mutating func scanEventObject() throws(ScanError) -> Fields {
        skipWhitespace()
        guard peek() == UInt8(ascii: "{") else {
            throw fail("expected a JSON object, found \(kindHere())")
        }
        var fields = Fields()
        try scanObject(depth: 1, fields: &fields)
        return fields
    }

    private func kindHere() -> String {
        switch peek() {
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        case .some(let b) where b == UInt8(ascii: "-") || (b >= 0x30 && b <= 0x39): return "a number"
        default: return describeHere()
        }
    }

    mutating func scanValue(depth: Int) throws(ScanError) {
        guard depth <= Self.maxDepth else { throw fail("nesting deeper than \(Self.maxDepth) levels") }
        guard let byte = peek() else { throw fail("expected a value, found end of input") }
        switch byte {
        case UInt8(ascii: "{"):
            var ignored = Fields()
            try scanObject(depth: depth, fields: &ignored, topLevel: false)
        case UInt8(ascii: "["): try scanArray(depth: depth)
        case UInt8(ascii: "\""): _ = try scanString()
        case UInt8(ascii: "t"): try scanLiteral("true")
        case UInt8(ascii: "f"): try scanLiteral("false")
        case UInt8(ascii: "n"): try scanLiteral("null")
        case UInt8(ascii: "-"), 0x30...0x39: _ = try scanNumber()
        default: throw fail("expected a value, found \(describeHere())")
        }
    }

    private mutating func scanObject(depth: Int, fields: inout Fields, topLevel: Bool = true) throws(ScanError) {
        position += 1  // {
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw fail("expected a member name in quotes, found \(describeHere())") }
            let name = try scanString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw fail("expected ':' after member name, found \(describeHere())") }
            position += 1
            skipWhitespace()
            if topLevel, let field = knownField(name) {
                let value = try scanTopLevelValue(depth: depth + 1)
                if field == .timestamp { fields.timestamp = value } else { fields.source = value }
            } else {
                try scanValue(depth: depth + 1)
            }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                return
            default: throw fail("expected ',' or '}' in object, found \(describeHere())")
            }
        }
    }

    private mutating func scanTopLevelValue(depth: Int) throws(ScanError) -> Value {
        switch peek() {
        case UInt8(ascii: "\""):
            return .string(try scanString().text(bytes))
        case .some(let b) where b == UInt8(ascii: "-") || (b >= 0x30 && b <= 0x39):
            let range = try scanNumber()
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            return .number(Double(text) ?? .nan)
        default:
            let kind = kindHere()
            try scanValue(depth: depth)
            return .other(kind)
        }
    }

    private mutating func scanArray(depth: Int) throws(ScanError) {
        position += 1  // [
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            try scanValue(depth: depth + 1)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                return
            default: throw fail("expected ',' or ']' in array, found \(describeHere())")
            }
        }
    }

    private mutating func scanLiteral(_ literal: StaticString) throws(ScanError) {
        let count = literal.utf8CodeUnitCount
        guard end - position >= count else { throw fail("invalid literal, found \(describeHere())") }
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        for i in 0..<count where bytes[position + i] != expected[i] {
            throw fail("invalid literal, found \(describeHere())")
        }
        position += count
    }

    /// A scanned string: the range of its contents (without quotes) and whether it holds escapes.
    struct StringToken {
        var range: Range<Int>
        var hasEscapes: Bool

        func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
            let raw = UnsafeBufferPointer(rebasing: bytes[range])
            guard hasEscapes else { return String(decoding: raw, as: UTF8.self) }
            return EventJSONScanner.unescape(raw)
        }
    }

    enum KnownField { case timestamp, source }

    private static let timestampName = Array("timestamp".utf8)
    private static let sourceName = Array("source".utf8)

    private func knownField(_ name: StringToken) -> KnownField? {
        if name.hasEscapes {
            switch name.text(bytes) {
            case "timestamp": return .timestamp
            case "source": return .source
            default: return nil
            }
        }
        let raw = bytes[name.range]
        if raw.count == 9 && raw.elementsEqual(Self.timestampName) { return .timestamp }
        if raw.count == 6 && raw.elementsEqual(Self.sourceName) { return .source }
        return nil
    }

    private mutating func scanString() throws(ScanError) -> StringToken {
        position += 1  // opening quote
        let start = position
        var hasEscapes = false
        while position < end {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                let token = StringToken(range: start..<position, hasEscapes: hasEscapes)
                position += 1
                return token
            case UInt8(ascii: "\\"):
                hasEscapes = true
                position += 1
                guard let escaped = peek() else { throw fail("unterminated string") }
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 1
                case UInt8(ascii: "u"):
                    guard end - position >= 5, (1...4).allSatisfy({ Self.hexValue(bytes[position + $0]) != nil }) else {
                        throw fail("invalid \\u escape in string")
                    }
                    position += 5
                default: throw fail("invalid escape '\\\(Character(Unicode.Scalar(escaped)))' in string")
                }
            case 0x00..<0x20:
                throw fail("unescaped control character 0x\(String(byte, radix: 16)) in string")
            case 0x80...:
                try scanUTF8Sequence()
            default:
                position += 1
            }
        }
        throw fail("unterminated string")
    }

    /// Checks one multi-byte UTF-8 sequence (no overlongs, no surrogates, nothing above U+10FFFF).
    private mutating func scanUTF8Sequence() throws(ScanError) {
        let lead = bytes[position]
        let length: Int
        var lowerBound: UInt8 = 0x80
        var upperBound: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lowerBound = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upperBound = 0x9F
        case 0xF0: length = 4; lowerBound = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upperBound = 0x8F
        default: throw fail("invalid UTF-8 byte 0x\(String(lead, radix: 16))")
        }
        guard end - position >= length else { throw fail("truncated UTF-8 sequence") }
        let second = bytes[position + 1]
        guard second >= lowerBound && second <= upperBound else { throw fail("invalid UTF-8 sequence") }
        for i in 2..<max(2, length) where bytes[position + i] & 0xC0 != 0x80 {
            throw fail("invalid UTF-8 sequence")
        }
        position += length
    }

    private mutating func scanNumber() throws(ScanError) -> Range<Int> {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), first >= 0x30 && first <= 0x39 else { throw fail("invalid number") }
        position += 1
        if first != 0x30 { skipDigits() }
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard skipDigits() > 0 else { throw fail("invalid number: no digits after '.'") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard skipDigits() > 0 else { throw fail("invalid number: no digits in exponent") }
        }
        return start..<position
    }

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = position
        while position < end, bytes[position] >= 0x30 && bytes[position] <= 0x39 { position += 1 }
        return position - start
    }

    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: return UInt32(byte - 0x30)
        case 0x41...0x46: return UInt32(byte - 0x41 + 10)
        case 0x61...0x66: return UInt32(byte - 0x61 + 10)
        default: return nil
        }
    }

    /// Decodes the escapes of an already validated string body.
    static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        func hex4(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 << 4 | (hexValue(raw[at + $1]) ?? 0) } }
        while i < raw.count {
            let byte = raw[i]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                i += 1
                continue
            }
            let escaped = raw[i + 1]
            i += 2
            switch escaped {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(i)
                i += 4
                if scalar >= 0xD800 && scalar < 0xDC00, i + 6 <= raw.count, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u") {
                    let low = hex4(i + 2)
                    if low >= 0xDC00 && low < 0xE000 {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8))
            default: out.append(escaped)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
