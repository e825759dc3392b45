import Foundation
import HTTPTypes
import Hummingbird

/// Cognito's JSON-1.1 API at `POST /`, routed by `X-Amz-Target`. Every failure, down to a body that is not
/// JSON, comes back in Cognito's error shape, so an SDK raises its usual exception class.
extension IdentityProvider {
    static let targetPrefix = "AWSCognitoIdentityProviderService."

    func addCognitoAPI(to router: Router<BasicRequestContext>) {
        router.post("/") { request, _ -> Response in
            let requestId = UUID().uuidString.lowercased()
            do {
                let (operation, body) = try await self.parseAPIRequest(request)
                return try await self.timed(operation) {
                    let result = try await self.perform(operation, body)
                    var response = HTTPReply.json(result, contentType: "application/x-amz-json-1.1")
                    response.headers[HTTPField.Name("x-amzn-RequestId")!] = requestId
                    return response
                }
            } catch let error as CognitoError {
                return error.response(requestId: requestId)
            } catch {
                return CognitoError("InternalErrorException", "Internal error: \(type(of: error))", status: .internalServerError)
                    .response(requestId: requestId)
            }
        }
    }

    private func parseAPIRequest(_ request: Request) async throws -> (String, [String: Any]) {
        guard let target = request.headers[HTTPField.Name("X-Amz-Target")!] else {
            throw CognitoError("UnknownOperationException", "Missing X-Amz-Target header")
        }
        guard target.hasPrefix(Self.targetPrefix) else {
            throw CognitoError("UnknownOperationException", "Unknown target \(target)")
        }
        let operation = String(target.dropFirst(Self.targetPrefix.count))
        guard ["InitiateAuth", "GetUser", "GlobalSignOut", "RevokeToken"].contains(operation) else {
            throw CognitoError("UnknownOperationException", "Operation \(operation) is not supported by this user pool")
        }
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.lowercased().hasPrefix("application/x-amz-json-1.1") else {
            throw CognitoError(
                "SerializationException",
                "Unsupported Content-Type '\(contentType)': expected application/x-amz-json-1.1")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: config.maxBodyBytes)
        } catch {
            throw CognitoError(
                "InvalidParameterException", "Request body exceeds \(config.maxBodyBytes) bytes", status: .contentTooLarge)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))
        } catch {
            throw CognitoError("SerializationException", "Request body is not valid JSON")
        }
        guard let body = object as? [String: Any] else {
            throw CognitoError("SerializationException", "Request body must be a JSON object")
        }
        return (operation, body)
    }

    private func perform(_ operation: String, _ body: [String: Any]) async throws -> [String: Any] {
        switch operation {
        case "InitiateAuth": try await initiateAuth(body)
        case "GetUser": try await getUser(body)
        case "GlobalSignOut": try await globalSignOut(body)
        default: try revokeToken(body)
        }
    }

    // MARK: - InitiateAuth

    private func initiateAuth(_ body: [String: Any]) async throws -> [String: Any] {
        guard admitAuthRequest(endpoint: "InitiateAuth") else { throw CognitoError.throttled }
        let clientId = try string(body, "ClientId", member: "clientId")
        let flow = try string(body, "AuthFlow", member: "authFlow")
        let parameters = try stringMap(body["AuthParameters"], member: "authParameters")
        guard let client = pool.clients[clientId] else { throw CognitoError.noSuchClient(clientId) }

        switch flow {
        case "USER_PASSWORD_AUTH":
            guard client.authFlows.contains("ALLOW_USER_PASSWORD_AUTH") else {
                throw CognitoError.invalidParameter("USER_PASSWORD_AUTH flow not enabled for this client")
            }
            guard let username = parameters["USERNAME"] else { throw CognitoError.invalidParameter("Missing required parameter USERNAME") }
            guard let password = parameters["PASSWORD"] else { throw CognitoError.invalidParameter("Missing required parameter PASSWORD") }
            try checkSecretHash(client: client, username: username, parameters: parameters)
            let user: UserPool.User
            switch checkPassword(username: username, password: password) {
            case .ok(let found): user = found
            case .wrongPassword:
                metrics.failure("wrong_password")
                throw CognitoError.wrongPassword
            case .unknownUser:
                metrics.failure("unknown_user")
                throw config.preventUserExistenceErrors
                    ? CognitoError.wrongPassword : CognitoError("UserNotFoundException", "User does not exist.")
            }
            let minted = try await mintUserTokens(
                user: user, client: client, scope: "aws.cognito.signin.user.admin", authTime: nowSeconds, refreshOrigin: nil)
            metrics.login(flow: "user_password")
            return ["AuthenticationResult": authenticationResult(minted), "ChallengeParameters": [String: String]()]

        case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
            guard client.authFlows.contains("ALLOW_REFRESH_TOKEN_AUTH") else {
                throw CognitoError.invalidParameter("REFRESH_TOKEN_AUTH flow not enabled for this client")
            }
            guard let token = parameters["REFRESH_TOKEN"] else {
                throw CognitoError.invalidParameter("Missing required parameter REFRESH_TOKEN")
            }
            let record = try refreshRecord(token, client: client)
            guard let user = pool.users[record.username] else {
                metrics.failure("invalid_refresh")
                throw CognitoError("NotAuthorizedException", "Invalid Refresh Token")
            }
            if client.clientSecret != nil {
                // For refresh, Cognito computes SECRET_HASH over the username or the user's sub.
                let name = parameters["USERNAME"] ?? user.username
                do {
                    try checkSecretHash(client: client, username: name, parameters: parameters)
                } catch {
                    try checkSecretHash(client: client, username: user.sub, parameters: parameters)
                }
            }
            let minted = try await mintUserTokens(
                user: user, client: client, scope: record.scope, authTime: record.authTime, refreshOrigin: record.originJti)
            metrics.refresh(flow: "initiate_auth")
            return ["AuthenticationResult": authenticationResult(minted), "ChallengeParameters": [String: String]()]

        default:
            let known = ["USER_PASSWORD_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "USER_SRP_AUTH", "CUSTOM_AUTH", "USER_AUTH"]
            if known.contains(flow) {
                throw CognitoError.invalidParameter("\(flow) flow not enabled for this client")
            }
            throw CognitoError.invalidParameter(
                "1 validation error detected: Value '\(flow)' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: \(known)")
        }
    }

    func refreshRecord(_ token: String, client: UserPool.Client) throws -> SessionStore.RefreshRecord {
        let now = nowSeconds
        switch store.withLock({ $0.refresh(token, clientId: client.clientId, now: now) }) {
        case .success(let record): return record
        case .failure(let error):
            switch error.kind {
            case .revoked:
                metrics.failure("revoked_refresh")
                throw CognitoError("NotAuthorizedException", "Refresh Token has been revoked")
            case .expired:
                metrics.failure("expired_refresh")
                throw CognitoError("NotAuthorizedException", "Refresh Token has expired")
            case .invalid, .wrongClient:
                metrics.failure("invalid_refresh")
                throw CognitoError("NotAuthorizedException", "Invalid Refresh Token")
            }
        }
    }

    private func checkSecretHash(client: UserPool.Client, username: String, parameters: [String: String]) throws {
        guard let secret = client.clientSecret else { return }
        guard let given = parameters["SECRET_HASH"] else {
            metrics.failure("missing_secret_hash")
            throw CognitoError(
                "NotAuthorizedException", "Client \(client.clientId) is configured with secret but SECRET_HASH was not received")
        }
        guard given == UserPool.secretHash(username: username, clientId: client.clientId, clientSecret: secret) else {
            metrics.failure("bad_secret_hash")
            throw CognitoError("NotAuthorizedException", "Unable to verify secret hash for client \(client.clientId)")
        }
    }

    private func authenticationResult(_ minted: MintedTokens) -> [String: Any] {
        var result: [String: Any] = ["AccessToken": minted.access, "ExpiresIn": minted.expiresIn, "TokenType": "Bearer"]
        if let id = minted.id { result["IdToken"] = id }
        if let refresh = minted.refresh { result["RefreshToken"] = refresh }
        return result
    }

    // MARK: - GetUser, GlobalSignOut, RevokeToken

    private func userFromAccessToken(_ body: [String: Any]) async throws -> (AccessTokenClaims, UserPool.User) {
        let token = try string(body, "AccessToken", member: "accessToken")
        switch await checkAccessToken(token) {
        case .ok(let claims, let user):
            guard claims.scope.split(separator: " ").contains("aws.cognito.signin.user.admin") else {
                throw CognitoError("NotAuthorizedException", "Access Token does not have required scopes")
            }
            return (claims, user)
        case .expired: throw CognitoError("NotAuthorizedException", "Access Token has expired")
        case .revoked: throw CognitoError("NotAuthorizedException", "Access Token has been revoked")
        case .invalid: throw CognitoError("NotAuthorizedException", "Invalid Access Token")
        }
    }

    private func getUser(_ body: [String: Any]) async throws -> [String: Any] {
        let (_, user) = try await userFromAccessToken(body)
        let attributes = [["Name": "sub", "Value": user.sub], ["Name": "email", "Value": user.email], ["Name": "email_verified", "Value": "true"]]
        return ["Username": user.username, "UserAttributes": attributes]
    }

    private func globalSignOut(_ body: [String: Any]) async throws -> [String: Any] {
        let (_, user) = try await userFromAccessToken(body)
        store.withLock { $0.signOut(username: user.username) }
        return [:]
    }

    private func revokeToken(_ body: [String: Any]) throws -> [String: Any] {
        let token = try string(body, "Token", member: "token")
        let clientId = try string(body, "ClientId", member: "clientId")
        guard let client = pool.clients[clientId] else { throw CognitoError.noSuchClient(clientId) }
        if let secret = client.clientSecret {
            guard let given = body["ClientSecret"] as? String, given == secret else {
                throw CognitoError("NotAuthorizedException", "Invalid client secret for client \(clientId)")
            }
        }
        if token.split(separator: ".").count == 3 {
            throw CognitoError("UnsupportedTokenTypeException", "Only refresh tokens can be revoked")
        }
        // RFC 7009: an unknown token is not an error; there is simply nothing to revoke.
        _ = store.withLock { $0.revoke(refreshToken: token, clientId: clientId) }
        return [:]
    }

    // MARK: - parameter helpers

    private func string(_ body: [String: Any], _ key: String, member: String) throws -> String {
        guard let raw = body[key], !(raw is NSNull) else { throw CognitoError.missing(member) }
        guard let value = raw as? String else {
            throw CognitoError("SerializationException", "Member \(key) must be a string")
        }
        guard !value.isEmpty, value.utf8.count <= 16_384 else {
            throw CognitoError.invalidParameter(
                "1 validation error detected: Value at '\(member)' failed to satisfy constraint: Member must have length between 1 and 16384")
        }
        return value
    }

    private func stringMap(_ raw: Any?, member: String) throws -> [String: String] {
        guard let raw, !(raw is NSNull) else { return [:] }
        guard let object = raw as? [String: Any] else {
            throw CognitoError("SerializationException", "Member \(member) must be a map of strings")
        }
        var map: [String: String] = [:]
        for (key, value) in object {
            guard let string = value as? String else {
                throw CognitoError("SerializationException", "\(member).\(key) must be a string")
            }
            map[key] = string
        }
        return map
    }
}
