import Foundation
import Testing
@testable import GauntletCore
@testable import GauntletDriver

@Suite struct InitiateAuthTests {
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined() }

    @Test func sha256MatchesTheStandardVectors() {
        #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(hex(SHA256.hash(long)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // RFC 4231, test case 2.
        #expect(hex(SHA256.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func requestBodiesAreCognitos() throws {
        let body = InitiateAuth.body(username: "m01", password: "pw", clientId: "c1", secret: "s3cret", refreshToken: nil)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object["AuthFlow"] as? String == "USER_PASSWORD_AUTH")
        #expect(object["ClientId"] as? String == "c1")
        let parameters = try #require(object["AuthParameters"] as? [String: String])
        #expect(parameters["USERNAME"] == "m01")
        #expect(parameters["SECRET_HASH"] == InitiateAuth.secretHash(username: "m01", clientId: "c1", secret: "s3cret"))
        let refresh = InitiateAuth.body(username: "m01", password: "pw", clientId: "c1", secret: nil, refreshToken: "rt")
        #expect(String(decoding: refresh, as: UTF8.self).contains("\"REFRESH_TOKEN_AUTH\""))
        #expect(!String(decoding: refresh, as: UTF8.self).contains("PASSWORD"))
    }

    @Test func answersAndErrorsAreParsed() {
        let ok = Array(#"{"AuthenticationResult":{"AccessToken":"a","ExpiresIn":3600,"RefreshToken":"r","IdToken":"i","TokenType":"Bearer"}}"#.utf8)
        #expect(InitiateAuth.parse(status: 200, body: ok) == .success(.init(accessToken: "a", refreshToken: "r", expiresIn: 3600)))
        let error = Array(#"{"__type":"NotAuthorizedException","message":"Incorrect username or password."}"#.utf8)
        #expect(InitiateAuth.parse(status: 400, body: error) == .failure(InitiateAuthError(type: "NotAuthorizedException", message: "Incorrect username or password.")))
        #expect(InitiateAuth.parse(status: 200, body: Array("{}".utf8)) == .failure(InitiateAuthError(type: "MalformedResponse", message: "no AuthenticationResult.AccessToken in the answer")))
    }

    @Test func apiClientsLogInWithInitiateAuthAndRefreshTheirTokens() async throws {
        let edge = try FakeEdge()
        defer { edge.stop() }
        var endpoints = DriverRunTests.endpoints(edge)
        endpoints.clients = Endpoints.Clients(web: nil, api: .init(clientId: "api-client"), uploader: nil)
        var scenario = DriverRunTests.scenario(
            duration: 3, api: APIRequests(schedule: .constant(rate: 20), calls: [.init(path: "/analytics/api/counts"), .init(path: "/manager/api/users", audience: .managers)]),
            thresholds: ["routing.misroutes == 0"])
        scenario.users.login = .initiateAuth
        let result = try await Driver.run(scenario: scenario, endpoints: endpoints, options: DriverOptions())
        let summary = result.summary
        #expect(summary.all.failed == 0, "\(summary.all.errors) \(summary.misroutes.kinds)")
        #expect(summary.all.count == 60)
        #expect(summary.auth.logins >= 1)
        #expect(summary.auth.latency(of: "initiate_auth") != nil)
        #expect(summary.auth.latency(of: "refresh") != nil)   // tokens live 1 s in the fake IdP
        #expect(summary.auth.refreshes >= 1)
    }
}
