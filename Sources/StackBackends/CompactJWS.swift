import Foundation
import StackSupport

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
