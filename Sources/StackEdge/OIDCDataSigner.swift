import Crypto
import Foundation
import StackSupport

/// Signs `x-amzn-oidc-data` as ALB does: ES256 over `header.payload`, raw r‖s signature, each part base64url
/// *with* padding. The header carries `alg`, `kid`, `signer`, `iss`, `client`, `exp` and `typ`; the payload is
/// the userInfo claims plus `exp` and `iss`.
public struct OIDCDataSigner: Sendable {
    public let keyID: String
    /// An ALB ARN; backends check it to know the data came from this LB.
    public let signer: String
    public let issuer: String
    public let clientID: String
    private let privateKey: P256.Signing.PrivateKey

    public init(privateKey: P256.Signing.PrivateKey = .init(), keyID: String = UUID().uuidString.lowercased(),
                signer: String, issuer: String, clientID: String) {
        self.privateKey = privateKey
        self.keyID = keyID
        self.signer = signer
        self.issuer = issuer
        self.clientID = clientID
    }

    /// What AWS's regional key endpoint serves for this `kid`.
    public var publicKeyPEM: String { privateKey.publicKey.pemRepresentation + "\n" }

    public enum SigningError: Error, CustomStringConvertible {
        case userInfoNotAnObject
        public var description: String { "the identity provider's userInfo response is not a JSON object" }
    }

    public func sign(userInfoJSON: String, expiresAt: Int) throws -> String {
        guard var claims = try JSONSerialization.jsonObject(with: Data(userInfoJSON.utf8)) as? [String: Any] else {
            throw SigningError.userInfoNotAnObject
        }
        claims["exp"] = expiresAt
        claims["iss"] = issuer
        let header: [String: Any] = [
            "alg": "ES256", "kid": keyID, "signer": signer, "iss": issuer, "client": clientID, "exp": expiresAt, "typ": "JWT",
        ]
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        let headerPart = Base64URL.encode(try JSONSerialization.data(withJSONObject: header, options: options), padded: true)
        let payloadPart = Base64URL.encode(try JSONSerialization.data(withJSONObject: claims, options: options), padded: true)
        let signingInput = "\(headerPart).\(payloadPart)"
        let signature = try privateKey.signature(for: Data(signingInput.utf8))
        return "\(signingInput).\(Base64URL.encode(signature.rawRepresentation, padded: true))"
    }
}

/// The LB's signing key and its `kid`. The runner makes one before starting anything, so the backends (which
/// start first, because the LB needs their URLs) can be handed the public key by kid.
public struct EdgeSigningKey: Sendable {
    public let privateKey: P256.Signing.PrivateKey
    public let keyID: String

    public init(privateKey: P256.Signing.PrivateKey = .init(), keyID: String = UUID().uuidString.lowercased()) {
        self.privateKey = privateKey
        self.keyID = keyID
    }

    public var publicKeyPEM: String { privateKey.publicKey.pemRepresentation + "\n" }
}
