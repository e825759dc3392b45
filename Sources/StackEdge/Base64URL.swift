import Foundation

/// base64url codecs. ALB's `x-amzn-oidc-data` keeps the `=` padding (unlike RFC 7515), which is why both
/// forms exist; decoding accepts either.
enum Base64URL {
    static func encode(_ data: some DataProtocol, padded: Bool) -> String {
        var text = Data(data).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
        if !padded { while text.hasSuffix("=") { text.removeLast() } }
        return text
    }

    static func decode(_ text: some StringProtocol) -> Data? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !standard.contains("=") || standard.hasSuffix("=") else { return nil }
        while standard.count % 4 != 0 { standard.append("=") }
        return Data(base64Encoded: standard)
    }
}
