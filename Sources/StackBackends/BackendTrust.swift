import Crypto
import Foundation
import _CryptoExtras
import StackSupport

/// What a backend trusts, handed in at start: the load balancer's ES256 public keys by `kid`
/// (as ALB publishes them, PEM), the ALB ARN it expects as `signer`, the app client id, the identity
/// provider's issuer and its JWKS (RS256 keys for access tokens).
public struct BackendTrust: Sendable {
    public var loadBalancerKeys: [String: P256.Signing.PublicKey]
    public var accessTokenKeys: [String: _RSA.Signing.PublicKey]
    public var expectedSigner: String
    public var expectedClient: String
    /// When set, both `x-amzn-oidc-data`'s `iss` and the access token's `iss` must equal it.
    public var expectedIssuer: String?
    /// Clock skew tolerated on `exp`, in seconds.
    public var leeway: TimeInterval

    public init(
        loadBalancerKeys: [String: P256.Signing.PublicKey], accessTokenKeys: [String: _RSA.Signing.PublicKey],
        expectedSigner: String, expectedClient: String, expectedIssuer: String?, leeway: TimeInterval = 0
    ) {
        self.loadBalancerKeys = loadBalancerKeys
        self.accessTokenKeys = accessTokenKeys
        self.expectedSigner = expectedSigner
        self.expectedClient = expectedClient
        self.expectedIssuer = expectedIssuer
        self.leeway = leeway
    }

    /// Builds the trust from the forms the other components publish: PEM per `kid` and a JWKS document.
    public init(
        loadBalancerKeysPEM: [String: String], jwksJSON: String, expectedSigner: String, expectedClient: String,
        expectedIssuer: String?, leeway: TimeInterval = 0
    ) throws(BackendTrustError) {
        var lbKeys: [String: P256.Signing.PublicKey] = [:]
        for (kid, pem) in loadBalancerKeysPEM {
            do {
                lbKeys[kid] = try P256.Signing.PublicKey(pemRepresentation: pem)
            } catch {
                throw .invalidLoadBalancerKey(kid: kid, reason: "\(error)")
            }
        }
        guard !lbKeys.isEmpty else { throw .noLoadBalancerKeys }
        self.init(
            loadBalancerKeys: lbKeys, accessTokenKeys: try Self.parseJWKS(jwksJSON),
            expectedSigner: expectedSigner, expectedClient: expectedClient, expectedIssuer: expectedIssuer, leeway: leeway
        )
    }

    private struct JWKSDocument: Decodable {
        struct Key: Decodable {
            var kty: String
            var kid: String?
            var n: String?
            var e: String?
            var alg: String?
            var use: String?
        }
        var keys: [Key]
    }

    /// Reads the RSA signing keys of a JWKS; keys of other types or uses are ignored.
    static func parseJWKS(_ json: String) throws(BackendTrustError) -> [String: _RSA.Signing.PublicKey] {
        let document: JWKSDocument
        do {
            document = try JSONDecoder().decode(JWKSDocument.self, from: Data(json.utf8))
        } catch {
            throw .invalidJWKS(reason: "not a JWKS document ({\"keys\": [...]}): \(error)")
        }
        var keys: [String: _RSA.Signing.PublicKey] = [:]
        for key in document.keys where key.kty == "RSA" && (key.use ?? "sig") == "sig" && (key.alg ?? "RS256") == "RS256" {
            guard let kid = key.kid else { throw .invalidJWKS(reason: "an RSA key has no kid") }
            guard let n = key.n.flatMap({ Base64URL.decode(Substring($0)) }),
                  let e = key.e.flatMap({ Base64URL.decode(Substring($0)) })
            else { throw .invalidJWKS(reason: "key '\(kid)' lacks a base64url 'n' or 'e'") }
            do {
                keys[kid] = try _RSA.Signing.PublicKey(n: n, e: e)
            } catch {
                throw .invalidJWKS(reason: "key '\(kid)' is not a usable RSA key: \(error)")
            }
        }
        guard !keys.isEmpty else { throw .invalidJWKS(reason: "no RS256 signing keys") }
        return keys
    }
}

public enum BackendTrustError: Error, Equatable, CustomStringConvertible {
    case invalidLoadBalancerKey(kid: String, reason: String)
    case noLoadBalancerKeys
    case invalidJWKS(reason: String)

    public var description: String {
        switch self {
        case .invalidLoadBalancerKey(let kid, let reason): "backends: load balancer key '\(kid)' is not a P-256 PEM public key: \(reason)"
        case .noLoadBalancerKeys: "backends: no load balancer public keys were given"
        case .invalidJWKS(let reason): "backends: identity provider JWKS: \(reason)"
        }
    }
}
