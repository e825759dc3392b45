/// Header-line helpers for the header callback: case-insensitive name match without building strings
/// for headers nobody reads.
enum HeaderLine {
    static func hasPrefix(_ line: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard line.count >= count else { return false }
        let bytes = prefix.utf8Start
        for i in 0..<count where line[i] != bytes[i] { return false }
        return true
    }

    /// The trimmed value when `line` is `name: value` (name compared case-insensitively, `name` lowercase).
    static func value(_ line: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> String? {
        let count = name.utf8CodeUnitCount
        guard line.count > count, line[count] == UInt8(ascii: ":") else { return nil }
        let bytes = name.utf8Start
        for i in 0..<count where line[i] | 0x20 != bytes[i] { return nil }
        var start = count + 1
        var end = line.count
        while start < end, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
        while end > start, line[end - 1] == 0x0A || line[end - 1] == 0x0D || line[end - 1] == 0x20 { end -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: line[start..<end]), as: UTF8.self)
    }
}

/// `Server-Timing: lb-auth;dur=1.2, target;dur=3.4` (milliseconds) → seconds; -1 for a missing metric.
struct ServerTiming: Equatable {
    var lbAuth: Double = -1
    var target: Double = -1

    init(_ header: String) {
        for metric in header.split(separator: ",") {
            let parts = metric.split(separator: ";").map { $0.trimmingCharacters(in: " ") }
            guard let name = parts.first else { continue }
            var duration: Double?
            for parameter in parts.dropFirst() where parameter.hasPrefix("dur=") {
                duration = Double(parameter.dropFirst(4))
            }
            guard let duration else { continue }
            switch name {
            case "lb-auth", "lb_auth", "auth": lbAuth = duration / 1000
            case "target": target = duration / 1000
            default: break
            }
        }
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let first = s.first, set.contains(first) { s = s.dropFirst() }
        while let last = s.last, set.contains(last) { s = s.dropLast() }
        return String(s)
    }
}
