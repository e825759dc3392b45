/// Reads the plain subset of JSON that `ResultLine` needs, byte by byte; every reader returns nil (or
/// false) at the first byte it does not expect, leaving the line to JSONDecoder.
struct JSONScanner {
    private let bytes: UnsafeRawBufferPointer
    private var at = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var atEnd: Bool {
        mutating get {
            skipSpace()
            return at == bytes.count
        }
    }

    private mutating func skipSpace() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x09 || bytes[at] == 0x0D { at += 1 }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard at < bytes.count, bytes[at] == byte else { return false }
        at += 1
        return true
    }

    /// `{ "key": value, … }`, each value read by `field` (false: not understood).
    mutating func object(_ field: (inout JSONScanner, String) -> Bool) -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        repeat {
            guard let key = string(), take(UInt8(ascii: ":")), field(&self, key) else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}"))
    }

    /// A string without escapes.
    mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = at
        while at < bytes.count, bytes[at] != UInt8(ascii: "\"") {
            guard bytes[at] != UInt8(ascii: "\\") else { return nil }
            at += 1
        }
        guard at < bytes.count else { return nil }
        at += 1
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<(at - 1)]), as: UTF8.self)
    }

    /// A non-negative integer that fits in 64 bits.
    mutating func unsigned() -> UInt64? {
        skipSpace()
        var value: UInt64 = 0
        let start = at
        while at < bytes.count, bytes[at] >= 0x30, bytes[at] <= 0x39 {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(UInt64(bytes[at] - 0x30))
            guard !o1, !o2 else { return nil }
            value = sum
            at += 1
        }
        guard at > start else { return nil }
        // A fraction or exponent is not an integer: leave the line to JSONDecoder.
        if at < bytes.count, bytes[at] == UInt8(ascii: ".") || bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") { return nil }
        return value
    }

    /// A JSON number, as a Double (Swift's parser: exact for what JSONEncoder wrote).
    mutating func number() -> Double? {
        skipSpace()
        let start = at
        while at < bytes.count, (bytes[at] >= 0x30 && bytes[at] <= 0x39) || bytes[at] == UInt8(ascii: "-") || bytes[at] == UInt8(ascii: "+")
            || bytes[at] == UInt8(ascii: ".") || bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
            at += 1
        }
        guard at > start else { return nil }
        return Double(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self))
    }

    /// `[n, n, …]` of non-negative integers.
    mutating func unsignedArray() -> [UInt64]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var values: [UInt64] = []
        if take(UInt8(ascii: "]")) { return values }
        repeat {
            guard let value = unsigned() else { return nil }
            values.append(value)
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]")) ? values : nil
    }
}
