import Foundation

/// Cognito's `InitiateAuth` (JSON 1.1) for API clients: the request for a password or refresh-token
/// login, and the tokens (or the error) of its answer. Pure.
enum InitiateAuth {
    struct Tokens: Sendable, Equatable {
        var accessToken: String
        var refreshToken: String?
        /// Seconds the access token is valid.
        var expiresIn: Double
    }

    static let target = "AWSCognitoIdentityProviderService.InitiateAuth"
    static let headers = ["Content-Type: application/x-amz-json-1.1", "X-Amz-Target: \(target)"]

    /// `Base64(HMAC-SHA256(secret, username + clientId))`, required when the app client has a secret.
    static func secretHash(username: String, clientId: String, secret: String) -> String {
        Data(SHA256.hmac(key: Array(secret.utf8), message: Array((username + clientId).utf8))).base64EncodedString()
    }

    /// The request body: `USER_PASSWORD_AUTH`, or `REFRESH_TOKEN_AUTH` when `refreshToken` is given.
    static func body(username: String, password: String, clientId: String, secret: String?, refreshToken: String?) -> [UInt8] {
        var parameters: [String: String]
        if let refreshToken {
            parameters = ["REFRESH_TOKEN": refreshToken]
        } else {
            parameters = ["USERNAME": username, "PASSWORD": password]
        }
        if let secret { parameters["SECRET_HASH"] = secretHash(username: username, clientId: clientId, secret: secret) }
        let object: [String: Any] = [
            "AuthFlow": refreshToken == nil ? "USER_PASSWORD_AUTH" : "REFRESH_TOKEN_AUTH",
            "ClientId": clientId,
            "AuthParameters": parameters,
        ]
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    /// The tokens of a 200 answer, or the error Cognito named (`NotAuthorizedException: …`).
    static func parse(status: Int, body: [UInt8]) -> Result<Tokens, InitiateAuthError> {
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        guard status == 200 else {
            let type = (object?["__type"] as? String).map { String($0.split(separator: "#").last ?? Substring($0)) } ?? "HTTP \(status)"
            return .failure(InitiateAuthError(type: type, message: object?["message"] as? String ?? ""))
        }
        guard let result = object?["AuthenticationResult"] as? [String: Any], let access = result["AccessToken"] as? String else {
            return .failure(InitiateAuthError(type: "MalformedResponse", message: "no AuthenticationResult.AccessToken in the answer"))
        }
        let expires = (result["ExpiresIn"] as? Double) ?? Double(result["ExpiresIn"] as? Int ?? 3600)
        return .success(Tokens(accessToken: access, refreshToken: result["RefreshToken"] as? String, expiresIn: expires))
    }
}

struct InitiateAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    var type: String
    var message: String
    var description: String { message.isEmpty ? type : "\(type): \(message)" }
}
