import Foundation

/// The number formats the LB writes on every request (access-log times, Server-Timing, trace ids), without
/// `String(format:)`: Foundation's formatter parses its format string and boxes its arguments each call.
enum LogFormat {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lowercase hex of the bytes.
    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `count` random bytes as hex.
    static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        var word: UInt64 = 0
        for index in 0..<count {
            if index % 8 == 0 { word = generator.next() }
            let byte = UInt8(truncatingIfNeeded: word >> (UInt64(index % 8) * 8))
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `value` in lowercase hex, zero-padded to `width` digits.
    static func hex(_ value: Int, width: Int) -> String {
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
        var rest = UInt(bitPattern: value)
        var index = width - 1
        while index >= 0 {
            digits[index] = hexDigits[Int(rest & 0x0f)]
            rest >>= 4
            index -= 1
        }
        return String(decoding: digits, as: UTF8.self)
    }

    /// Appends `value` in decimal, zero-padded to `width` digits.
    static func appendPadded(_ value: Int, width: Int, to out: inout String) {
        var text = String(value)
        if text.utf8.count < width { text = String(repeating: "0", count: width - text.utf8.count) + text }
        out += text
    }

    /// `value` with exactly three decimals, as `%.3f` prints it (negative values keep their sign).
    static func fixed3(_ value: Double) -> String {
        let thousandths = Int((abs(value) * 1000).rounded())
        var out = value < 0 && thousandths > 0 ? "-" : ""
        out += String(thousandths / 1000)
        out += "."
        appendPadded(thousandths % 1000, width: 3, to: &out)
        return out
    }

    /// ISO 8601 with microseconds in UTC, e.g. `2026-11-29T00:12:03.123456Z`.
    static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = floor(seconds)
        var micros = Int(((seconds - whole) * 1_000_000).rounded())
        var t = time_t(whole)
        if micros >= 1_000_000 { micros -= 1_000_000; t += 1 }
        var parts = tm()
        gmtime_r(&t, &parts)
        var out = ""
        out.reserveCapacity(27)
        appendPadded(Int(parts.tm_year) + 1900, width: 4, to: &out)
        out += "-"
        appendPadded(Int(parts.tm_mon) + 1, width: 2, to: &out)
        out += "-"
        appendPadded(Int(parts.tm_mday), width: 2, to: &out)
        out += "T"
        appendPadded(Int(parts.tm_hour), width: 2, to: &out)
        out += ":"
        appendPadded(Int(parts.tm_min), width: 2, to: &out)
        out += ":"
        appendPadded(Int(parts.tm_sec), width: 2, to: &out)
        out += "."
        appendPadded(micros, width: 6, to: &out)
        out += "Z"
        return out
    }
}
