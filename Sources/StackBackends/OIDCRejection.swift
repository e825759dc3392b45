/// Why a request was refused by a backend: each case becomes a 401 with a JSON body naming it.
///
/// `code` is a short, closed set of strings, safe as a metric label; `message` is for a person.
public enum OIDCRejection: Error, Equatable, CustomStringConvertible {
    case missingHeader(String)
    case malformedToken(header: String, reason: String)
    case unsupportedAlgorithm(header: String, alg: String)
    case unknownKey(header: String, kid: String)
    case badSignature(header: String)
    case wrongSigner(String)
    case wrongClient(header: String, client: String)
    case wrongIssuer(header: String, issuer: String)
    case expired(header: String, expiredAt: Int)
    case notAnAccessToken(tokenUse: String)
    case groupNotAllowed(groups: [String], allowed: [String])
    case subjectMismatch

    public var code: String {
        switch self {
        case .missingHeader: "missing_header"
        case .malformedToken: "malformed_token"
        case .unsupportedAlgorithm: "unsupported_algorithm"
        case .unknownKey: "unknown_key"
        case .badSignature: "bad_signature"
        case .wrongSigner: "wrong_signer"
        case .wrongClient: "wrong_client"
        case .wrongIssuer: "wrong_issuer"
        case .expired: "expired"
        case .notAnAccessToken: "not_an_access_token"
        case .groupNotAllowed: "group_not_allowed"
        case .subjectMismatch: "subject_mismatch"
        }
    }

    public var description: String {
        switch self {
        case .missingHeader(let name): "\(name) header is missing: the request did not come through the load balancer"
        case .malformedToken(let header, let reason): "\(header) is not a valid JWT: \(reason)"
        case .unsupportedAlgorithm(let header, let alg): "\(header) uses alg '\(alg)', which this backend does not accept"
        case .unknownKey(let header, let kid): "\(header) is signed with unknown key id '\(kid)'"
        case .badSignature(let header): "\(header) signature does not verify"
        case .wrongSigner(let signer): "x-amzn-oidc-data was signed by '\(signer)', not by this backend's load balancer"
        case .wrongClient(let header, let client): "\(header) was issued for client '\(client)', not this application's"
        case .wrongIssuer(let header, let issuer): "\(header) has issuer '\(issuer)', not the expected identity provider"
        case .expired(let header, let expiredAt): "\(header) expired at \(expiredAt) (Unix time)"
        case .notAnAccessToken(let use): "x-amzn-oidc-accesstoken has token_use '\(use)', expected 'access'"
        case .groupNotAllowed(let groups, let allowed):
            "user's groups [\(groups.joined(separator: ", "))] include none of [\(allowed.joined(separator: ", "))]"
        case .subjectMismatch: "the access token, x-amzn-oidc-data and x-amzn-oidc-identity name different users"
        }
    }
}
