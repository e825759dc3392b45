import Foundation

/// base64url as JWTs use it. ALB pads its `x-amzn-oidc-data` segments with `=` (unlike RFC 7515),
/// so padding is accepted when present and added when absent.
enum Base64URL {
    static func decode(_ text: Substring) -> Data? {
        guard text.utf8.allSatisfy({ byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x5F || byte == 0x3D
        }) else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let unpadded = standard.trimmingCharacters(in: CharacterSet(charactersIn: "="))
        guard !unpadded.contains("=") else { return nil }
        standard = unpadded
        let remainder = standard.utf8.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { standard += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: standard)
    }

    static func encode(_ data: some DataProtocol, padded: Bool) -> String {
        var text = Data(data).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        if !padded { text = text.trimmingCharacters(in: CharacterSet(charactersIn: "=")) }
        return text
    }
}

/// A compact JWS split into its parts, with the signing input kept byte-for-byte as received.
struct CompactJWS {
    let signingInput: Data
    let header: Data
    let payload: Data
    let signature: Data

    init?(_ token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let header = Base64URL.decode(parts[0]), let payload = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2])
        else { return nil }
        self.signingInput = Data("\(parts[0]).\(parts[1])".utf8)
        self.header = header
        self.payload = payload
        self.signature = signature
    }
}
