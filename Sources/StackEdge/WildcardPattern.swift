/// An ALB condition value with `*` (any run of characters, possibly empty) and `?` (exactly one character).
///
/// ALB compares path patterns case-sensitively and host, header and query values case-insensitively, so the
/// comparison mode is part of the pattern rather than of each call site.
public struct WildcardPattern: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    public let caseSensitive: Bool
    private let units: [Character]

    public init(_ pattern: String, caseSensitive: Bool) {
        self.pattern = pattern
        self.caseSensitive = caseSensitive
        self.units = Array(caseSensitive ? pattern : pattern.lowercased())
    }

    public var description: String { pattern }

    /// Iterative matcher with single-star backtracking: linear in practice, no recursion on hostile input.
    public func matches(_ candidate: String) -> Bool {
        let text = Array(caseSensitive ? candidate : candidate.lowercased())
        var p = 0, t = 0
        var starP = -1, starT = 0
        while t < text.count {
            if p < units.count, units[p] == "?" || units[p] == text[t] {
                p += 1; t += 1
            } else if p < units.count, units[p] == "*" {
                starP = p; starT = t; p += 1
            } else if starP >= 0 {
                p = starP + 1; starT += 1; t = starT
            } else {
                return false
            }
        }
        while p < units.count, units[p] == "*" { p += 1 }
        return p == units.count
    }
}
