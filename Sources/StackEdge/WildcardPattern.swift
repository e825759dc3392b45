/// An ALB condition value with `*` (any run of characters, possibly empty) and `?` (exactly one character).
///
/// ALB compares path patterns case-sensitively and host, header and query values case-insensitively, so the
/// comparison mode is part of the pattern rather than of each call site.
public struct WildcardPattern: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    public let caseSensitive: Bool
    /// The pattern's Unicode scalars (lowercased when case-insensitive): `?` is one scalar, not one byte.
    private let units: [Unicode.Scalar]
    /// The same as ASCII bytes when the pattern is ASCII, for the byte-level fast path every rule hits.
    private let asciiUnits: [UInt8]?

    public init(_ pattern: String, caseSensitive: Bool) {
        self.pattern = pattern
        self.caseSensitive = caseSensitive
        let folded = caseSensitive ? pattern : pattern.lowercased()
        self.units = Array(folded.unicodeScalars)
        self.asciiUnits = folded.utf8.allSatisfy { $0 < 0x80 } ? Array(folded.utf8) : nil
    }

    public var description: String { pattern }

    public func matches(_ candidate: String) -> Bool {
        // Listener rules run on every request: match ASCII paths and hosts over their bytes, in place.
        if let asciiUnits {
            let fold: (UInt8) -> UInt8
            if caseSensitive { fold = { $0 } } else { fold = Self.asciiLower }
            let fast = candidate.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
                guard !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
                return Self.match(asciiUnits, bytes, wildcard: UInt8(ascii: "*"), single: UInt8(ascii: "?"), fold: fold)
            }
            if let fast, let result = fast { return result }
        }
        let text = Array((caseSensitive ? candidate : candidate.lowercased()).unicodeScalars)
        return Self.match(units, text, wildcard: "*" as Unicode.Scalar, single: "?" as Unicode.Scalar, fold: { $0 })
    }

    static func asciiLower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }

    /// Iterative matcher with single-star backtracking: linear in practice, no recursion on hostile input.
    private static func match<P: RandomAccessCollection, T: RandomAccessCollection>(
        _ pattern: P, _ text: T, wildcard: P.Element, single: P.Element, fold: (P.Element) -> P.Element
    ) -> Bool where P.Element == T.Element, P.Element: Equatable, P.Index == Int, T.Index == Int {
        var p = pattern.startIndex, t = text.startIndex
        var starP = -1, starT = 0
        while t < text.endIndex {
            if p < pattern.endIndex, pattern[p] == single || pattern[p] == fold(text[t]) {
                p += 1; t += 1
            } else if p < pattern.endIndex, pattern[p] == wildcard {
                starP = p; starT = t; p += 1
            } else if starP >= 0 {
                p = starP + 1; starT += 1; t = starT
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == wildcard { p += 1 }
        return p == pattern.endIndex
    }
}
