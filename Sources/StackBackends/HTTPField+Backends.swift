import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    static let xServedBy = HTTPField.Name("X-Served-By")!
    static let amznOIDCData = HTTPField.Name(OIDCVerifier.dataHeader)!
    static let amznOIDCAccessToken = HTTPField.Name(OIDCVerifier.accessTokenHeader)!
    static let amznOIDCIdentity = HTTPField.Name(OIDCVerifier.identityHeader)!
}
