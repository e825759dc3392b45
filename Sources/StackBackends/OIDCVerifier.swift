import Crypto
import Foundation
import _CryptoExtras

/// The user a verified request is for.
public struct VerifiedUser: Codable, Sendable, Equatable {
    public var subject: String
    public var username: String
    public var email: String?
    public var groups: [String]

    public init(subject: String, username: String, email: String?, groups: [String]) {
        self.subject = subject
        self.username = username
        self.email = email
        self.groups = groups
    }
}

/// The private subnet's second layer: checks the headers ALB puts on every request it forwards.
///
/// `x-amzn-oidc-data` must be ES256 under the load balancer's key for its `kid`, from the expected
/// `signer` and `client`, unexpired; `x-amzn-oidc-accesstoken` must be an RS256 access token from the
/// identity provider whose `cognito:groups` include a group this backend serves.
public struct OIDCVerifier: Sendable {
    public static let dataHeader = "x-amzn-oidc-data"
    public static let accessTokenHeader = "x-amzn-oidc-accesstoken"
    public static let identityHeader = "x-amzn-oidc-identity"

    public let trust: BackendTrust
    public let allowedGroups: [String]

    public init(trust: BackendTrust, allowedGroups: [String]) {
        self.trust = trust
        self.allowedGroups = allowedGroups
    }

    public func verify(data: String?, accessToken: String?, identity: String?, now: Date) throws(OIDCRejection) -> VerifiedUser {
        guard let data, !data.isEmpty else { throw .missingHeader(Self.dataHeader) }
        guard let accessToken, !accessToken.isEmpty else { throw .missingHeader(Self.accessTokenHeader) }
        let claims = try verifyData(data, now: now)
        let access = try verifyAccessToken(accessToken, now: now)
        guard claims.sub == access.sub, identity.map({ $0 == access.sub }) ?? true else { throw .subjectMismatch }
        let groups = access.groups ?? []
        guard groups.contains(where: { allowedGroups.contains($0) }) else {
            throw .groupNotAllowed(groups: groups, allowed: allowedGroups)
        }
        return VerifiedUser(
            subject: access.sub, username: access.username ?? claims.username ?? access.sub,
            email: claims.email, groups: groups
        )
    }

    private struct DataHeader: Decodable {
        var alg: String?
        var kid: String?
        var signer: String?
        var iss: String?
        var client: String?
        var exp: Double?
    }

    private struct DataClaims: Decodable {
        var sub: String
        var email: String?
        var username: String?
        var exp: Double?
        var iss: String?
    }

    private func verifyData(_ token: String, now: Date) throws(OIDCRejection) -> DataClaims {
        let name = Self.dataHeader
        guard let jws = CompactJWS(token) else { throw .malformedToken(header: name, reason: "expected three base64url parts") }
        guard let header = try? JSONDecoder().decode(DataHeader.self, from: jws.header) else {
            throw .malformedToken(header: name, reason: "header is not a JSON object")
        }
        guard header.alg == "ES256" else { throw .unsupportedAlgorithm(header: name, alg: header.alg ?? "none") }
        guard let kid = header.kid else { throw .malformedToken(header: name, reason: "header has no kid") }
        guard let key = trust.loadBalancerKeys[kid] else { throw .unknownKey(header: name, kid: kid) }
        guard let signature = try? P256.Signing.ECDSASignature(rawRepresentation: jws.signature),
              key.isValidSignature(signature, for: jws.signingInput)
        else { throw .badSignature(header: name) }
        guard let signer = header.signer else { throw .malformedToken(header: name, reason: "header has no signer") }
        guard signer == trust.expectedSigner else { throw .wrongSigner(signer) }
        guard let client = header.client else { throw .malformedToken(header: name, reason: "header has no client") }
        guard client == trust.expectedClient else { throw .wrongClient(header: name, client: client) }
        if let expected = trust.expectedIssuer, header.iss != expected {
            throw .wrongIssuer(header: name, issuer: header.iss ?? "")
        }
        guard let claims = try? JSONDecoder().decode(DataClaims.self, from: jws.payload) else {
            throw .malformedToken(header: name, reason: "payload is not a JSON object with a 'sub'")
        }
        guard let exp = header.exp ?? claims.exp else { throw .malformedToken(header: name, reason: "no exp") }
        try checkNotExpired(header: name, exp: exp, now: now)
        if let claimExp = claims.exp { try checkNotExpired(header: name, exp: claimExp, now: now) }
        return claims
    }

    private struct AccessClaims: Decodable {
        var sub: String
        var iss: String?
        var token_use: String?
        var client_id: String?
        var exp: Double
        var username: String?
        var groups: [String]?

        enum CodingKeys: String, CodingKey {
            case sub, iss, token_use, client_id, exp, username
            case groups = "cognito:groups"
        }
    }

    private struct AccessHeader: Decodable {
        var alg: String?
        var kid: String?
    }

    private func verifyAccessToken(_ token: String, now: Date) throws(OIDCRejection) -> AccessClaims {
        let name = Self.accessTokenHeader
        guard let jws = CompactJWS(token) else { throw .malformedToken(header: name, reason: "expected three base64url parts") }
        guard let header = try? JSONDecoder().decode(AccessHeader.self, from: jws.header) else {
            throw .malformedToken(header: name, reason: "header is not a JSON object")
        }
        guard header.alg == "RS256" else { throw .unsupportedAlgorithm(header: name, alg: header.alg ?? "none") }
        guard let kid = header.kid else { throw .malformedToken(header: name, reason: "header has no kid") }
        guard let key = trust.accessTokenKeys[kid] else { throw .unknownKey(header: name, kid: kid) }
        guard key.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: jws.signature), for: jws.signingInput, padding: .insecurePKCS1v1_5
        ) else { throw .badSignature(header: name) }
        guard let claims = try? JSONDecoder().decode(AccessClaims.self, from: jws.payload) else {
            throw .malformedToken(header: name, reason: "payload lacks 'sub' or a numeric 'exp'")
        }
        guard claims.token_use == "access" else { throw .notAnAccessToken(tokenUse: claims.token_use ?? "") }
        guard claims.client_id == trust.expectedClient else { throw .wrongClient(header: name, client: claims.client_id ?? "") }
        if let expected = trust.expectedIssuer, claims.iss != expected {
            throw .wrongIssuer(header: name, issuer: claims.iss ?? "")
        }
        try checkNotExpired(header: name, exp: claims.exp, now: now)
        return claims
    }

    private func checkNotExpired(header: String, exp: Double, now: Date) throws(OIDCRejection) {
        guard now.timeIntervalSince1970 < exp + trust.leeway else { throw .expired(header: header, expiredAt: Int(exp)) }
    }
}
