import JWTKit

/// An access token's claims, as Cognito issues them (no `aud`: the client is in `client_id`).
/// Machine (`client_credentials`) tokens have `sub` = client id and no user fields.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var sub: String
    public var groups: [String]?
    public var iss: String
    public var version: Int
    public var clientId: String
    public var originJti: String?
    public var eventId: String?
    public var tokenUse: String
    public var scope: String
    public var authTime: Int
    public var exp: Int
    public var iat: Int
    public var jti: String
    public var username: String?

    enum CodingKeys: String, CodingKey {
        case sub, groups = "cognito:groups", iss, version, clientId = "client_id", originJti = "origin_jti"
        case eventId = "event_id", tokenUse = "token_use", scope, authTime = "auth_time", exp, iat, jti, username
    }

    /// Signature is checked by jwt-kit; everything semantic (expiry, issuer, revocation) by `TokenIssuer`,
    /// so each failure maps to its own Cognito message.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// An ID token's claims (`aud` = the client id, `cognito:username`).
public struct IDTokenClaims: JWTPayload, Equatable {
    public var sub: String
    public var groups: [String]?
    public var emailVerified: Bool
    public var iss: String
    public var username: String
    public var originJti: String
    public var aud: String
    public var eventId: String
    public var tokenUse: String
    public var authTime: Int
    public var exp: Int
    public var iat: Int
    public var jti: String
    public var email: String
    public var nonce: String?

    enum CodingKeys: String, CodingKey {
        case sub, groups = "cognito:groups", emailVerified = "email_verified", iss, username = "cognito:username"
        case originJti = "origin_jti", aud, eventId = "event_id", tokenUse = "token_use", authTime = "auth_time"
        case exp, iat, jti, email, nonce
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}
