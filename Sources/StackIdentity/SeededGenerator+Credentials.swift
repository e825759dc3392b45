import SharedPrimitives

/// The demo pool's identifiers drawn from the stack's seed, so that a seed always yields the same pool id,
/// client ids, usernames and passwords (the harness reads them from the endpoints file).
extension SeededGenerator {
    mutating func string(length: Int, alphabet: String) -> String {
        let chars = Array(alphabet)
        return String((0..<length).map { _ in chars[Int(next() % UInt64(chars.count))] })
    }

    /// A version-4-shaped UUID string (Cognito's `sub`).
    mutating func uuid() -> String {
        let hex = Array(string(length: 32, alphabet: "0123456789abcdef"))
        return "\(String(hex[0..<8]))-\(String(hex[8..<12]))-4\(String(hex[13..<16]))-a\(String(hex[17..<20]))-\(String(hex[20..<32]))"
    }
}
