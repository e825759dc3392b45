import Foundation
import JWTKit

/// The claims of a Cognito access token that the gateway checks.
struct AccessTokenClaims: JWTPayload {
    var exp: ExpirationClaim
    var iss: IssuerClaim?
    var tokenUse: String?
    var scope: String?
    var clientID: String?

    enum CodingKeys: String, CodingKey {
        case exp, iss, scope
        case tokenUse = "token_use"
        case clientID = "client_id"
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// Verifies Bearer access tokens from the identity provider's `client_credentials` grant: RS256 signature by a
/// key in the JWKS, not expired, `token_use` "access", the upload scope, and the issuer when one is configured.
final class BearerVerifier: Sendable {
    private let keys: JWTKeyCollection
    private let scope: String
    private let issuer: String?

    init(jwksJSON: String, scope: String, issuer: String?) async throws {
        keys = JWTKeyCollection()
        try await keys.add(jwksJSON: jwksJSON)
        self.scope = scope
        self.issuer = issuer
    }

    enum Rejection: Error, Equatable {
        case invalid(String)
    }

    /// Returns the token's client id, or throws saying why the token is refused (for logs, not for clients).
    func verify(_ token: String) async throws(Rejection) -> String {
        let claims: AccessTokenClaims
        do {
            claims = try await keys.verify(token, as: AccessTokenClaims.self)
        } catch {
            throw .invalid("signature or expiry: \(error)")
        }
        guard claims.tokenUse == "access" else { throw .invalid("token_use is \(claims.tokenUse ?? "missing"), not access") }
        guard let granted = claims.scope?.split(separator: " "), granted.contains(Substring(scope)) else {
            throw .invalid("scope \(scope) not granted")
        }
        if let issuer, claims.iss?.value != issuer { throw .invalid("issuer \(claims.iss?.value ?? "missing")") }
        return claims.clientID ?? ""
    }
}
