import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StackSupport

/// The LB's server-to-server calls to the identity provider: code exchange, refresh, userInfo.
struct IdentityProviderClient: Sendable {
    let endpoints: IdentityProviderEndpoints
    let credentials: OIDCClientCredentials
    let http: HTTPClient
    let timeout: TimeAmount

    struct TokenSet: Sendable, Decodable {
        var accessToken: String
        var idToken: String?
        var refreshToken: String?
        var expiresIn: Int

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token", idToken = "id_token", refreshToken = "refresh_token", expiresIn = "expires_in"
        }
    }

    /// Why an identity-provider call failed; `logReason` is ALB's access-log `error_reason`.
    enum Failure: Error, Equatable {
        /// The IdP answered with an OAuth error (e.g. `invalid_grant` for a revoked refresh token).
        case rejected(status: Int, body: String, logReason: String)
        /// No usable answer: connection, TLS, timeout, or a malformed body.
        case unavailable(detail: String, logReason: String)

        var logReason: String {
            switch self {
            case let .rejected(_, _, reason), let .unavailable(_, reason): return reason
            }
        }
    }

    func exchange(code: String, redirectURI: String) async throws(Failure) -> TokenSet {
        try await tokenRequest([
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("client_id", credentials.clientID),
        ])
    }

    func refresh(refreshToken: String) async throws(Failure) -> TokenSet {
        try await tokenRequest([("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", credentials.clientID)])
    }

    /// The userInfo claims as JSON text (must be an object).
    func userInfo(accessToken: String) async throws(Failure) -> String {
        var request = HTTPClientRequest(url: endpoints.userInfoURL)
        request.method = .GET
        request.headers.add(name: "Authorization", value: "Bearer \(accessToken)")
        request.headers.add(name: "Accept", value: "application/json")
        let (status, body) = try await send(request, failureReason: "AuthUserinfoEpRequestFailed", timeoutReason: "AuthUserinfoEpRequestTimeout")
        guard status == 200 else {
            throw .rejected(status: status, body: body, logReason: "AuthUserinfoEpRequestFailed")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], object["sub"] is String else {
            throw .unavailable(detail: "userInfo response is not a JSON object with a sub", logReason: "AuthInvalidUserinfoResponse")
        }
        return body
    }

    private func tokenRequest(_ form: [(String, String)]) async throws(Failure) -> TokenSet {
        var request = HTTPClientRequest(url: endpoints.tokenURL)
        request.method = .POST
        let basic = Data("\(Self.formEncode(credentials.clientID)):\(Self.formEncode(credentials.clientSecret))".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(basic)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: form.map { "\($0)=\(Self.formEncode($1))" }.joined(separator: "&")))
        let (status, body) = try await send(request, failureReason: "AuthTokenEpRequestFailed", timeoutReason: "AuthTokenEpRequestTimeout")
        guard status == 200 else {
            throw .rejected(status: status, body: body, logReason: "AuthTokenEpRequestFailed")
        }
        guard let tokens = try? JSONDecoder().decode(TokenSet.self, from: Data(body.utf8)) else {
            throw .unavailable(detail: "token response lacks access_token/expires_in", logReason: "AuthInvalidTokenResponse")
        }
        return tokens
    }

    private func send(_ request: HTTPClientRequest, failureReason: String, timeoutReason: String) async throws(Failure) -> (Int, String) {
        do {
            let response = try await http.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 256 * 1024)
            return (Int(response.status.code), String(buffer: body))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw .unavailable(detail: "\(error)", logReason: timeoutReason)
        } catch {
            throw .unavailable(detail: "\(error)", logReason: failureReason)
        }
    }

    /// `application/x-www-form-urlencoded` value encoding (also what RFC 6749 asks for the Basic credentials).
    /// Byte by byte: every login redirect encodes five values, and a `CharacterSet` per call is costly.
    static func formEncode(_ value: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        out.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `cognito:groups` from a JWT's payload. The token came straight from the IdP over TLS, so the LB reads
    /// it without verifying, as ALB does; the backends verify it themselves.
    static func groups(fromJWT token: String) -> [String] {
        let parts = token.split(separator: ".")
        guard parts.count >= 2, let payload = Base64URL.decode(parts[1]),
              let claims = try? JSONSerialization.jsonObject(with: payload) as? [String: Any]
        else { return [] }
        return claims["cognito:groups"] as? [String] ?? []
    }
}
