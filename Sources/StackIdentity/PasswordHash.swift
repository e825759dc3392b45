import Crypto
import _CryptoExtras
import Foundation

/// A stored password: PBKDF2-HMAC-SHA256 over a random 16-byte salt. The clear password is never kept.
struct PasswordHash: Sendable {
    let salt: [UInt8]
    let rounds: Int
    let digest: [UInt8]

    init(password: String, rounds: Int) {
        var salt = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = UInt8.random(in: .min ... .max, using: &rng) }
        self.salt = salt
        self.rounds = rounds
        self.digest = Self.derive(password, salt: salt, rounds: rounds)
    }

    func matches(_ password: String) -> Bool {
        let candidate = Self.derive(password, salt: salt, rounds: rounds)
        // Constant-time comparison: a timing difference must not reveal how much of the hash matched.
        guard candidate.count == digest.count else { return false }
        var diff: UInt8 = 0
        for (a, b) in zip(candidate, digest) { diff |= a ^ b }
        return diff == 0
    }

    private static func derive(_ password: String, salt: [UInt8], rounds: Int) -> [UInt8] {
        // The PBKDF2 call only fails for a zero output size or zero rounds, which this type never asks for.
        let key = try! KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: 32,
            unsafeUncheckedRounds: rounds)
        return key.withUnsafeBytes { Array($0) }
    }
}
