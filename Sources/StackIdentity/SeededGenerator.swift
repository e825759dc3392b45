/// SplitMix64: a tiny, well-mixed PRNG, so that a seed always yields the same pool id, client ids,
/// usernames and passwords (the harness derives the same credentials from the endpoints file).
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64, stream: String = "") {
        // FNV-1a of the stream name keeps different uses of one seed independent.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in stream.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        state = seed ^ hash
    }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    mutating func string(length: Int, alphabet: String) -> String {
        let chars = Array(alphabet)
        return String((0..<length).map { _ in chars[Int(next() % UInt64(chars.count))] })
    }

    /// A version-4-shaped UUID string (Cognito's `sub`).
    mutating func uuid() -> String {
        let hex = string(length: 32, alphabet: "0123456789abcdef")
        let a = Array(hex)
        return "\(String(a[0..<8]))-\(String(a[8..<12]))-4\(String(a[13..<16]))-a\(String(a[17..<20]))-\(String(a[20..<32]))"
    }
}
