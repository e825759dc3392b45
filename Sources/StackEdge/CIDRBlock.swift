import Foundation

/// A `source-ip` condition value: an IPv4 or IPv6 CIDR block such as `10.0.0.0/8` or `::1/128`.
public struct CIDRBlock: Sendable, Hashable, CustomStringConvertible {
    public let address: [UInt8]
    public let prefixLength: Int
    public let description: String

    public init(_ text: String) throws(EdgeConfigError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let bytes = CIDRBlock.parseAddress(String(parts[0])),
              let prefix = Int(parts[1]), prefix >= 0, prefix <= bytes.count * 8
        else {
            throw EdgeConfigError.invalidValue(field: "source-ip", value: text, expected: "a CIDR block such as 10.0.0.0/8 or ::1/128")
        }
        self.address = bytes
        self.prefixLength = prefix
        self.description = text
    }

    public func contains(_ ip: String) -> Bool {
        guard let bytes = CIDRBlock.parseAddress(ip), bytes.count == address.count else { return false }
        var remaining = prefixLength
        for index in 0..<bytes.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask: UInt8 = bits == 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if bytes[index] & mask != address[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// Parses dotted-quad IPv4 or colon-hex IPv6 (with `::` and an optional trailing IPv4); nil when malformed.
    static func parseAddress(_ text: String) -> [UInt8]? {
        if !text.contains(":") { return parseIPv4(text) }
        var text = Substring(text)
        if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt8]? {
            if part.isEmpty { return [] }
            var out: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, piece) in pieces.enumerated() {
                if i == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parseIPv4(String(piece)) else { return nil }
                    out += v4
                } else {
                    guard piece.count >= 1, piece.count <= 4, let value = UInt16(piece, radix: 16) else { return nil }
                    out += [UInt8(value >> 8), UInt8(value & 0xFF)]
                }
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    static func parseIPv4(_ text: String) -> [UInt8]? {
        let pieces = text.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count == 4 else { return nil }
        var out: [UInt8] = []
        for piece in pieces {
            guard !piece.isEmpty, piece.count <= 3, piece.allSatisfy(\.isASCII), let value = UInt8(piece) else { return nil }
            out.append(value)
        }
        return out
    }
}
