import Crypto
import _CryptoExtras
import Foundation
import JWTKit
import StackSupport

/// Signs and checks the pool's tokens. ID and access tokens use different RSA keys (different `kid`s),
/// as Cognito's do, so a verifier that mixes them up fails. Keys persist in the state directory
/// (`idp-id-key.pem`, `idp-access-key.pem`, 0600) so tokens survive a restart of the stack.
public struct TokenIssuer: Sendable {
    public let issuer: String
    public let idKid: String
    public let accessKid: String
    let keys: JWTKeyCollection
    private let idPublic: JWTKit.Insecure.RSA.PublicKey
    private let accessPublic: JWTKit.Insecure.RSA.PublicKey

    public init(issuer: String, stateDirectory: URL) async throws {
        self.issuer = issuer
        let idKey = try Self.loadOrCreateKey(stateDirectory.appendingPathComponent("idp-id-key.pem"))
        let accessKey = try Self.loadOrCreateKey(stateDirectory.appendingPathComponent("idp-access-key.pem"))
        idPublic = idKey.publicKey
        accessPublic = accessKey.publicKey
        // A kid derived from the key itself: stable across restarts, different per key.
        idKid = Self.kid(for: idKey.publicKey)
        accessKid = Self.kid(for: accessKey.publicKey)
        keys = JWTKeyCollection()
        await keys.add(rsa: idKey, digestAlgorithm: .sha256, kid: JWKIdentifier(string: idKid))
        await keys.add(rsa: accessKey, digestAlgorithm: .sha256, kid: JWKIdentifier(string: accessKid))
    }

    func sign(_ claims: AccessTokenClaims) async throws -> String {
        try await keys.sign(claims, kid: JWKIdentifier(string: accessKid))
    }

    func sign(_ claims: IDTokenClaims) async throws -> String {
        try await keys.sign(claims, kid: JWKIdentifier(string: idKid))
    }

    public enum Rejection: Error, Equatable {
        case malformed, badSignature, wrongUse, wrongIssuer, expired
    }

    /// Verifies an access token's signature (against the access key only), issuer, `token_use` and expiry.
    public func verifyAccess(_ token: String, now: Int) async throws(Rejection) -> AccessTokenClaims {
        guard token.split(separator: ".").count == 3, token.utf8.count < 16_384 else { throw .malformed }
        let header: String
        do {
            header = try Self.kidOf(token)
        } catch {
            throw .malformed
        }
        guard header == accessKid else { throw .badSignature }
        let claims: AccessTokenClaims
        do {
            claims = try await keys.verify(token, as: AccessTokenClaims.self)
        } catch {
            throw .badSignature
        }
        guard claims.tokenUse == "access" else { throw .wrongUse }
        guard claims.iss == issuer else { throw .wrongIssuer }
        guard claims.exp > now else { throw .expired }
        return claims
    }

    /// The JWKS document (`{"keys":[…]}`), ID key first.
    public func jwks() throws -> [String: [[String: String]]] {
        ["keys": try [jwk(idPublic, kid: idKid), jwk(accessPublic, kid: accessKid)]]
    }

    /// The JWKS as JSON text, for in-process consumers (the upload gateway) that should not fetch it.
    public func jwksJSON() throws -> String {
        let data = try JSONSerialization.data(withJSONObject: jwks(), options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    private func jwk(_ key: JWTKit.Insecure.RSA.PublicKey, kid: String) throws -> [String: String] {
        let (n, e) = try key.getKeyPrimitives()
        return ["alg": "RS256", "e": Base64URL.encode(e), "kid": kid, "kty": "RSA", "n": Base64URL.encode(n), "use": "sig"]
    }

    private static func kidOf(_ token: String) throws -> String {
        guard let first = token.split(separator: ".").first, let data = Base64URL.decode(String(first)),
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let kid = object["kid"] as? String
        else { throw Rejection.malformed }
        return kid
    }

    private static func kid(for key: JWTKit.Insecure.RSA.PublicKey) -> String {
        let digest = SHA256.hash(data: key.derRepresentation)
        return Data(digest).base64EncodedString()
    }

    private static func loadOrCreateKey(_ url: URL) throws -> JWTKit.Insecure.RSA.PrivateKey {
        if let pem = try? String(contentsOf: url, encoding: .utf8) {
            return try JWTKit.Insecure.RSA.PrivateKey(pem: pem)
        }
        let key = try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        guard FileManager.default.createFile(
            atPath: url.path, contents: Data(key.pemRepresentation.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw IdentitySetupError.invalid("cannot write the signing key \(url.path)")
        }
        return key
    }
}
