/// Parsers for the quantities people write in scenarios: durations (`250ms`, `1m30s`), rates (`50`,
/// `50/s`, `3000/m`), ratios (`0.1%`, `0.001`) and sizes (`512`, `4KB`, `10MiB`).
///
/// Each returns nil for text it does not understand; callers turn that into an error that says what
/// was expected, with the position of the value.
public enum Quantity {
    /// Seconds from `"1.5s"`, `"250ms"`, `"100us"`, `"2m"`, `"1h"`, `"1m30s"` or a bare number of seconds.
    public static func seconds(_ text: String) -> Double? {
        let text = text.trimmingSpaces()
        guard !text.isEmpty else { return nil }
        if let plain = Double(text), plain.isFinite { return plain }
        var total = 0.0
        var rest = Substring(text)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter || $0 == "µ" }
            rest = rest.dropFirst(unit.count)
            let scale: Double
            switch unit {
            case "h": scale = 3600
            case "m", "min": scale = 60
            case "s": scale = 1
            case "ms": scale = 1e-3
            case "us", "µs": scale = 1e-6
            case "ns": scale = 1e-9
            default: return nil
            }
            total += value * scale
        }
        return total.isFinite ? total : nil
    }

    /// Requests (or events) per second from `"50"`, `"50/s"`, `"3000/m"`, `"7200/h"`.
    public static func perSecond(_ text: String) -> Double? {
        let text = text.trimmingSpaces()
        if let plain = Double(text), plain.isFinite { return plain }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let value = Double(parts[0].trimmingSpaces()), value.isFinite else { return nil }
        switch parts[1].trimmingSpaces() {
        case "s", "sec", "second": return value
        case "m", "min", "minute": return value / 60
        case "h", "hour": return value / 3600
        default: return nil
        }
    }

    /// A fraction from `"0.1%"` (→ 0.001) or a bare number (`0.001`).
    public static func ratio(_ text: String) -> Double? {
        let text = text.trimmingSpaces()
        if text.hasSuffix("%") {
            guard let value = Double(text.dropLast().trimmingSpaces()), value.isFinite else { return nil }
            return value / 100
        }
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// Bytes from `"512"`, `"512B"`, `"4KB"`/`"4kB"` (1000), `"4KiB"` (1024), `"10MB"`, `"10MiB"`, `"1GB"`.
    public static func bytes(_ text: String) -> Double? {
        let text = text.trimmingSpaces()
        if let plain = Double(text), plain.isFinite { return plain }
        let number = text.prefix { $0.isNumber || $0 == "." }
        guard !number.isEmpty, let value = Double(number) else { return nil }
        let unit = text.dropFirst(number.count).trimmingSpaces().lowercased()
        let scale: Double
        switch unit {
        case "b": scale = 1
        case "kb": scale = 1e3
        case "kib": scale = 1024
        case "mb": scale = 1e6
        case "mib": scale = 1024 * 1024
        case "gb": scale = 1e9
        case "gib": scale = 1024 * 1024 * 1024
        default: return nil
        }
        return value * scale
    }

    /// A duration written back the way a person would read it: `250ms`, `1.5s`, `2m`, `87µs`.
    public static func format(seconds: Double) -> String {
        if seconds == 0 { return "0s" }
        let magnitude = abs(seconds)
        if magnitude >= 120 && magnitude.truncatingRemainder(dividingBy: 60) == 0 { return "\(trim(seconds / 60))m" }
        if magnitude >= 1 { return "\(trim(seconds))s" }
        if magnitude >= 1e-3 { return "\(trim(seconds * 1e3))ms" }
        return "\(trim(seconds * 1e6))µs"
    }

    static func trim(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        var text = String((value * 1000).rounded() / 1000)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
