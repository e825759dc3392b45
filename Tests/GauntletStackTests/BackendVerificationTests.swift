import Foundation
import StackBackends
import Testing

@Suite("Backend verification of load-balancer headers")
struct BackendVerificationTests {
    let keys = BackendTestKeys.shared

    func verifier(groups: [String] = ["managers"]) throws -> OIDCVerifier {
        OIDCVerifier(trust: try keys.trust(), allowedGroups: groups)
    }

    @Test func acceptsWhatTheLoadBalancerSends() throws {
        let user = try verifier().verify(
            data: keys.oidcData(), accessToken: keys.accessToken(), identity: "sub-alice", now: BackendTestKeys.now
        )
        #expect(user == VerifiedUser(subject: "sub-alice", username: "alice", email: "alice@example.test", groups: ["managers"]))
    }

    @Test func analystsReachAnalyticsButNotManager() throws {
        let token = keys.accessToken(groups: ["analysts"])
        let analytics = try verifier(groups: ["analysts", "managers"])
        #expect(try analytics.verify(data: keys.oidcData(), accessToken: token, identity: nil, now: BackendTestKeys.now).groups == ["analysts"])
        #expect(throws: OIDCRejection.groupNotAllowed(groups: ["analysts"], allowed: ["managers"])) {
            try verifier().verify(data: keys.oidcData(), accessToken: token, identity: nil, now: BackendTestKeys.now)
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var data: @Sendable (BackendTestKeys) -> String?
        var accessToken: @Sendable (BackendTestKeys) -> String?
        var expected: String
        var testDescription: String { name }
    }

    static let rejections: [Case] = [
        Case(name: "missing data", data: { _ in nil }, accessToken: { $0.accessToken() }, expected: "missing_header"),
        Case(name: "missing access token", data: { $0.oidcData() }, accessToken: { _ in nil }, expected: "missing_header"),
        Case(name: "wrong signer", data: { $0.oidcData(signer: "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/evil/1") },
             accessToken: { $0.accessToken() }, expected: "wrong_signer"),
        Case(name: "wrong kid", data: { $0.oidcData(kid: "lb-key-unknown") }, accessToken: { $0.accessToken() }, expected: "unknown_key"),
        Case(name: "signed by another key under the right kid", data: { $0.oidcData(key: $0.otherLBKey) },
             accessToken: { $0.accessToken() }, expected: "bad_signature"),
        Case(name: "wrong client", data: { $0.oidcData(client: "other-client") }, accessToken: { $0.accessToken() }, expected: "wrong_client"),
        Case(name: "expired data", data: { $0.oidcData(exp: BackendTestKeys.now.addingTimeInterval(-1)) },
             accessToken: { $0.accessToken() }, expected: "expired"),
        Case(name: "alg none", data: { $0.oidcData(alg: "none") }, accessToken: { $0.accessToken() }, expected: "unsupported_algorithm"),
        Case(name: "garbage data", data: { _ in "not-a-jwt" }, accessToken: { $0.accessToken() }, expected: "malformed_token"),
        Case(name: "expired access token", data: { $0.oidcData() },
             accessToken: { $0.accessToken(exp: BackendTestKeys.now.addingTimeInterval(-5)) }, expected: "expired"),
        Case(name: "forged access token", data: { $0.oidcData() },
             accessToken: { $0.accessToken(key: $0.otherIdPKey) }, expected: "bad_signature"),
        Case(name: "access token with unknown kid", data: { $0.oidcData() },
             accessToken: { $0.accessToken(kid: "idp-key-9") }, expected: "unknown_key"),
        Case(name: "ID token instead of access token", data: { $0.oidcData() },
             accessToken: { $0.accessToken(tokenUse: "id") }, expected: "not_an_access_token"),
        Case(name: "access token for another client", data: { $0.oidcData() },
             accessToken: { $0.accessToken(clientId: "someone-else") }, expected: "wrong_client"),
        Case(name: "wrong group", data: { $0.oidcData() },
             accessToken: { $0.accessToken(groups: ["analysts"]) }, expected: "group_not_allowed"),
        Case(name: "no groups", data: { $0.oidcData() }, accessToken: { $0.accessToken(groups: []) }, expected: "group_not_allowed"),
        Case(name: "data and token for different users", data: { $0.oidcData(sub: "sub-mallory") },
             accessToken: { $0.accessToken() }, expected: "subject_mismatch"),
        Case(name: "tampered payload", data: { keys in
            let parts = keys.oidcData().split(separator: ".").map(String.init)
            let forged = BackendTestKeys.base64url(BackendTestKeys.json(["sub": "sub-alice", "username": "root"]), padded: true)
            return [parts[0], forged, parts[2]].joined(separator: ".")
        }, accessToken: { $0.accessToken() }, expected: "bad_signature"),
    ]

    @Test(arguments: rejections)
    func rejects(_ testCase: Case) throws {
        let verifier = try verifier()
        do {
            _ = try verifier.verify(
                data: testCase.data(keys), accessToken: testCase.accessToken(keys), identity: nil, now: BackendTestKeys.now
            )
            Issue.record("\(testCase.name) was accepted")
        } catch {
            #expect(error.code == testCase.expected, "\(testCase.name): \(error)")
        }
    }

    @Test func strippingPaddingBreaksTheSignature() throws {
        // The signature covers the segments exactly as sent, padding included.
        let stripped = keys.oidcData().replacingOccurrences(of: "=", with: "")
        #expect(throws: OIDCRejection.badSignature(header: "x-amzn-oidc-data")) {
            try verifier().verify(data: stripped, accessToken: keys.accessToken(), identity: nil, now: BackendTestKeys.now)
        }
    }

    @Test func identityHeaderMustMatch() throws {
        #expect(throws: OIDCRejection.subjectMismatch) {
            try verifier().verify(
                data: keys.oidcData(), accessToken: keys.accessToken(), identity: "sub-bob", now: BackendTestKeys.now
            )
        }
    }

    @Test func unpaddedDataIsAcceptedToo() throws {
        let unpadded = keys.oidcData(padded: false)
        #expect(!unpadded.contains("="))
        #expect(try verifier().verify(data: unpadded, accessToken: keys.accessToken(), identity: nil, now: BackendTestKeys.now).username == "alice")
    }

    @Test func trustRejectsBadKeys() {
        #expect(throws: BackendTrustError.self) {
            try BackendTrust(
                loadBalancerKeysPEM: ["k": "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----"], jwksJSON: keys.jwksJSON,
                expectedSigner: "s", expectedClient: "c", expectedIssuer: nil
            )
        }
        #expect(throws: BackendTrustError.invalidJWKS(reason: "no RS256 signing keys")) {
            try BackendTrust(
                loadBalancerKeysPEM: [BackendTestKeys.lbKid: keys.lbKey.publicKey.pemRepresentation], jwksJSON: #"{"keys":[]}"#,
                expectedSigner: "s", expectedClient: "c", expectedIssuer: nil
            )
        }
    }
}
