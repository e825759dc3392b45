import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StackIdentity
import Testing

@Suite struct IdentityAPITests {
    @Test func passwordLoginReturnsCognitoShapedTokensWithCognitoClaims() async throws {
        let f = try await IdentityFixture.make()
        defer { f.cleanup() }
        let api = f.api
        let user = f.manager
        try await f.test { client in
            let r = try await client.cognito("InitiateAuth", [
                "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": api.clientId,
                "AuthParameters": ["USERNAME": user.username, "PASSWORD": user.password],
            ])
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "application/x-amz-json-1.1")
            #expect(r.result["TokenType"] as? String == "Bearer")
            #expect(r.result["ExpiresIn"] as? Int == 3600)
            #expect(r.result["RefreshToken"] is String)
            let access = jwtParts(r.result["AccessToken"] as? String ?? "")
            let id = jwtParts(r.result["IdToken"] as? String ?? "")
            let issuer = "https://cognito-idp.us-east-1.amazonaws.com/\(f.idp.poolId)"
            #expect(access.header["alg"] as? String == "RS256")
            #expect(access.header["kid"] as? String == f.idp.tokens.accessKid)
            #expect(id.header["kid"] as? String == f.idp.tokens.idKid)
            #expect(f.idp.tokens.accessKid != f.idp.tokens.idKid)
            #expect(access.payload["token_use"] as? String == "access")
            #expect(access.payload["client_id"] as? String == api.clientId)
            #expect(access.payload["username"] as? String == user.username)
            #expect(access.payload["cognito:groups"] as? [String] == ["managers"])
            #expect(access.payload["iss"] as? String == issuer)
            #expect(access.payload["aud"] == nil)
            #expect(access.payload["scope"] as? String == "aws.cognito.signin.user.admin")
            for claim in ["auth_time", "iat", "exp", "jti", "origin_jti", "sub"] {
                #expect(access.payload[claim] != nil, "access token lacks \(claim)")
            }
            #expect((access.payload["exp"] as? Int ?? 0) - (access.payload["iat"] as? Int ?? 0) == 3600)
            #expect(id.payload["token_use"] as? String == "id")
            #expect(id.payload["aud"] as? String == api.clientId)
            #expect(id.payload["cognito:username"] as? String == user.username)
            #expect(id.payload["cognito:groups"] as? [String] == ["managers"])
            #expect(id.payload["iss"] as? String == issuer)
            #expect(id.payload["sub"] as? String == access.payload["sub"] as? String)
        }
    }

    @Test func wrongPasswordAndUnknownUserLookTheSame() async throws {
        let f = try await IdentityFixture.make()
        defer { f.cleanup() }
        let api = f.api
        let user = f.analyst
        try await f.test { client in
            for (name, password) in [(user.username, "nope-Nope-1!"), ("no-such-user", "whatever")] {
                let r = try await client.cognito("InitiateAuth", [
                    "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": api.clientId,
                    "AuthParameters": ["USERNAME": name, "PASSWORD": password],
                ])
                #expect(r.status == .badRequest)
                #expect(r.errorType == "NotAuthorizedException")
                #expect(r.message == "Incorrect username or password.")
                #expect(r.headers[HTTPField.Name("x-amzn-ErrorType")!] == "NotAuthorizedException:")
            }
        }
    }

    @Test func unknownUserIsReportedWhenExistenceErrorsAreNotPrevented() async throws {
        let f = try await IdentityFixture.make { $0.preventUserExistenceErrors = false }
        defer { f.cleanup() }
        let api = f.api
        try await f.test { client in
            let r = try await client.cognito("InitiateAuth", [
                "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": api.clientId,
                "AuthParameters": ["USERNAME": "ghost", "PASSWORD": "x"],
            ])
            #expect(r.errorType == "UserNotFoundException")
        }
    }

    @Test func secretHashIsEnforcedForClientsWithASecret() async throws {
        let f = try await IdentityFixture.make()
        defer { f.cleanup() }
        let web = f.web
        let user = f.manager
        try await f.test { client in
            var params = ["USERNAME": user.username, "PASSWORD": user.password]
            let missing = try await client.cognito("InitiateAuth", ["AuthFlow": "USER_PASSWORD_AUTH", "ClientId": web.clientId, "AuthParameters": params])
            #expect(missing.errorType == "NotAuthorizedException")
            #expect(missing.message?.contains("SECRET_HASH was not received") == true)
            params["SECRET_HASH"] = "AAAA"
            let wrong = try await client.cognito("InitiateAuth", ["AuthFlow": "USER_PASSWORD_AUTH", "ClientId": web.clientId, "AuthParameters": params])
            #expect(wrong.message == "Unable to verify secret hash for client \(web.clientId)")
            params["SECRET_HASH"] = UserPool.secretHash(username: user.username, clientId: web.clientId, clientSecret: web.clientSecret!)
            let ok = try await client.cognito("InitiateAuth", ["AuthFlow": "USER_PASSWORD_AUTH", "ClientId": web.clientId, "AuthParameters": params])
            #expect(ok.status == .ok)
            let refresh = ok.result["RefreshToken"] as? String ?? ""
            let refreshed = try await client.cognito("InitiateAuth", [
                "AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": web.clientId,
                "AuthParameters": ["REFRESH_TOKEN": refresh, "SECRET_HASH": params["SECRET_HASH"]!],
            ])
            #expect(refreshed.status == .ok)
        }
    }

    @Test func flowsAreEnforcedPerClient() async throws {
        let f = try await IdentityFixture.make()
        defer { f.cleanup() }
        let uploader = f.uploader
        let user = f.manager
        try await f.test { client in
            let r = try await client.cognito("InitiateAuth", [
                "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": uploader.clientId,
                "AuthParameters": ["USERNAME": user.username, "PASSWORD": user.password],
            ])
            #expect(r.errorType == "InvalidParameterException")
            #expect(r.message == "USER_PASSWORD_AUTH flow not enabled for this client")
        }
    }

    @Test func refreshKeepsAuthTimeAndRevocationStopsIt() async throws {
        let f = try await IdentityFixture.make()
        defer { f.cleanup() }
        let api = f.api
        let user = f.analyst
        let clock = f.clock
        try await f.test { client in
            let login = try await client.cognito("InitiateAuth", [
                "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": api.clientId,
                "AuthParameters": ["USERNAME": user.username, "PASSWORD": user.password],
            ])
            let refresh = login.result["RefreshToken"] as! String
            let firstAccess = jwtParts(login.result["AccessToken"] as! String).payload
            clock.advance(120)
            let refreshed = try await client.cognito("InitiateAuth", [
                "AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": api.clientId, "AuthParameters": ["REFRESH_TOKEN": refresh],
            ])
            #expect(refreshed.status == .ok)
            #expect(refreshed.result["RefreshToken"] == nil)
            let newAccess = jwtParts(refreshed.result["AccessToken"] as! String).payload
            #expect(newAccess["auth_time"] as? Int == firstAccess["auth_time"] as? Int)
            #expect((newAccess["iat"] as? Int ?? 0) == (firstAccess["iat"] as? Int ?? 0) + 120)
            #expect(newAccess["origin_jti"] as? String == firstAccess["origin_jti"] as? String)
            #expect(newAccess["jti"] as? String != firstAccess["jti"] as? String)

            let revoke = try await client.cognito("RevokeToken", ["Token": refresh, "ClientId": api.clientId])
            #expect(revoke.status == .ok)
            let after = try await client.cognito("InitiateAuth", [
                "AuthFlow": "REFRESH_TOKEN", "ClientId": api.clientId, "AuthParameters": ["REFRESH_TOKEN": refresh],
            ])
            #expect(after.errorType == "NotAuthorizedException")
            #expect(after.message == "Refresh Token has been revoked")
            let getUser = try await client.cognito("GetUser", ["AccessToken": refreshed.result["AccessToken"] as! String])
            #expect(getUser.message == "Access Token has been revoked")
            let bogus = try await client.cognito("InitiateAuth", [
                "AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": api.clientId, "AuthParameters": ["REFRESH_TOKEN": "not-a-token"],
            ])
            #expect(bogus.message == "Invalid Refresh Token")
        }
    }

    @Test func getUserAndGlobalSignOut() async throws {
        let f = try await IdentityFixture.make()
        defer { f.cleanup() }
        let api = f.api
        let user = f.manager
        try await f.test { client in
            let login = try await client.cognito("InitiateAuth", [
                "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": api.clientId,
                "AuthParameters": ["USERNAME": user.username, "PASSWORD": user.password],
            ])
            let access = login.result["AccessToken"] as! String
            let me = try await client.cognito("GetUser", ["AccessToken": access])
            #expect(me.status == .ok)
            #expect(me.json["Username"] as? String == user.username)
            let attributes = me.json["UserAttributes"] as? [[String: String]] ?? []
            #expect(attributes.contains { $0["Name"] == "sub" })
            let signOut = try await client.cognito("GlobalSignOut", ["AccessToken": access])
            #expect(signOut.status == .ok)
            let again = try await client.cognito("GetUser", ["AccessToken": access])
            #expect(again.message == "Access Token has been revoked")
            let refresh = try await client.cognito("InitiateAuth", [
                "AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": api.clientId,
                "AuthParameters": ["REFRESH_TOKEN": login.result["RefreshToken"] as! String],
            ])
            #expect(refresh.message == "Refresh Token has been revoked")
            let forged = try await client.cognito("GetUser", ["AccessToken": access.dropLast(4) + "AAAA"])
            #expect(forged.message == "Invalid Access Token")
        }
    }

    @Test func expiredAccessTokenIsRefused() async throws {
        let f = try await IdentityFixture.make()
        defer { f.cleanup() }
        let api = f.api
        let user = f.manager
        let clock = f.clock
        try await f.test { client in
            let login = try await client.cognito("InitiateAuth", [
                "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": api.clientId,
                "AuthParameters": ["USERNAME": user.username, "PASSWORD": user.password],
            ])
            clock.advance(3601)
            let r = try await client.cognito("GetUser", ["AccessToken": login.result["AccessToken"] as! String])
            #expect(r.message == "Access Token has expired")
        }
    }

    @Test func quotaThrottlesTheAuthenticationCategory() async throws {
        let f = try await IdentityFixture.make { $0.quota.authRps = 3 }
        defer { f.cleanup() }
        let api = f.api
        let user = f.manager
        let clock = f.clock
        try await f.test { client in
            let body: [String: Any] = [
                "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": api.clientId,
                "AuthParameters": ["USERNAME": user.username, "PASSWORD": user.password],
            ]
            var statuses: [String] = []
            for _ in 0..<5 {
                let r = try await client.cognito("InitiateAuth", body)
                statuses.append(r.errorType ?? "ok")
            }
            #expect(statuses == ["ok", "ok", "ok", "TooManyRequestsException", "TooManyRequestsException"])
            clock.advance(1)
            #expect(try await client.cognito("InitiateAuth", body).status == .ok)
            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(metrics.contains("idp_throttled_total{endpoint=\"InitiateAuth\"} 2"))
            #expect(metrics.contains("idp_logins_total{flow=\"user_password\"} 4"))
        }
    }

    @Test func malformedRequestsGetCognitoShapedErrors() async throws {
        let f = try await IdentityFixture.make { $0.maxBodyBytes = 1024 }
        defer { f.cleanup() }
        let api = f.api
        try await f.test { client in
            let notJSON = try await client.cognitoRaw("InitiateAuth", body: ByteBuffer(string: "{not json"))
            #expect(notJSON.status == .badRequest)
            #expect(notJSON.errorType == "SerializationException")
            let array = try await client.cognitoRaw("InitiateAuth", body: ByteBuffer(string: "[1,2]"))
            #expect(array.errorType == "SerializationException")
            let noTarget = try await client.cognitoRaw(nil, body: ByteBuffer(string: "{}"))
            #expect(noTarget.errorType == "UnknownOperationException")
            let unknown = try await client.cognitoRaw("DeleteUserPool", body: ByteBuffer(string: "{}"))
            #expect(unknown.errorType == "UnknownOperationException")
            let contentType = try await client.cognito("InitiateAuth", ["ClientId": api.clientId], contentType: "text/plain")
            #expect(contentType.errorType == "SerializationException")
            #expect(contentType.message?.contains("application/x-amz-json-1.1") == true)
            let huge = try await client.cognitoRaw("InitiateAuth", body: ByteBuffer(string: String(repeating: "x", count: 5000)))
            #expect(huge.status == .contentTooLarge)
            #expect(huge.errorType == "InvalidParameterException")
            let noClient = try await client.cognito("InitiateAuth", ["AuthFlow": "USER_PASSWORD_AUTH"])
            #expect(noClient.errorType == "InvalidParameterException")
            #expect(noClient.message?.contains("'clientId'") == true)
            let wrongType = try await client.cognito("InitiateAuth", ["AuthFlow": "USER_PASSWORD_AUTH", "ClientId": 12])
            #expect(wrongType.errorType == "SerializationException")
            let badParams = try await client.cognito("InitiateAuth", [
                "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": api.clientId, "AuthParameters": ["USERNAME": ["x"]],
            ])
            #expect(badParams.errorType == "SerializationException")
            let noPassword = try await client.cognito("InitiateAuth", [
                "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": api.clientId, "AuthParameters": ["USERNAME": "x"],
            ])
            #expect(noPassword.message == "Missing required parameter PASSWORD")
            let badFlow = try await client.cognito("InitiateAuth", ["AuthFlow": "MAGIC", "ClientId": api.clientId])
            #expect(badFlow.errorType == "InvalidParameterException")
            let noSuchClient = try await client.cognito("InitiateAuth", ["AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "abc"])
            #expect(noSuchClient.errorType == "ResourceNotFoundException")
            let garbageToken = try await client.cognito("GetUser", ["AccessToken": "a.b.c"])
            #expect(garbageToken.errorType == "NotAuthorizedException")
            let deep = try await client.cognitoRaw("InitiateAuth", body: ByteBuffer(string: String(repeating: "[", count: 1000)))
            #expect(deep.errorType == "SerializationException")
            let binary = try await client.cognitoRaw("GetUser", body: ByteBuffer(bytes: [0xff, 0xfe, 0x00, 0x7b]))
            #expect(binary.errorType == "SerializationException")
        }
    }
}
