import Foundation

/// base64url (RFC 4648 §5), as JWTs, PKCE and the LB's session cookie use it. ALB keeps the `=` padding in
/// its `x-amzn-oidc-data` segments (unlike RFC 7515), so encoding pads on request and decoding accepts
/// either form.
public enum Base64URL {
    public static func encode(_ data: some DataProtocol, padded: Bool = false) -> String {
        var text = Data(data).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        if !padded { while text.hasSuffix("=") { text.removeLast() } }
        return text
    }

    /// nil for anything but base64url: a character outside its alphabet, `=` anywhere but at the end, or a
    /// length no encoding produces.
    public static func decode(_ text: some StringProtocol) -> Data? {
        var unpadded = Substring(text)
        while unpadded.hasSuffix("=") { unpadded.removeLast() }
        guard unpadded.utf8.allSatisfy({ byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x5F
        }) else { return nil }
        var standard = unpadded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let remainder = standard.utf8.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { standard += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: standard)
    }
}
