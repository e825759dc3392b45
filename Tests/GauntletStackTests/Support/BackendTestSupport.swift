import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import StackBackends
import _CryptoExtras

/// Keys and token makers standing in for the load balancer and the identity provider, generated
/// per test run so nothing secret is checked in.
struct BackendTestKeys: Sendable {
    static let signer = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/gauntlet/50dc6c495c0c9188"
    static let client = "gauntlet-web-client"
    static let issuer = "https://auth.example.logs.gauntlet.test/us-east-1_Gauntlet"
    static let lbKid = "lb-key-1"
    static let idpKid = "idp-key-1"
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    let lbKey = P256.Signing.PrivateKey()
    let otherLBKey = P256.Signing.PrivateKey()
    let idpKey: _RSA.Signing.PrivateKey
    let otherIdPKey: _RSA.Signing.PrivateKey

    static let shared: BackendTestKeys = {
        // RSA generation is slow; one pair per process is plenty.
        BackendTestKeys(
            idpKey: try! _RSA.Signing.PrivateKey(keySize: .bits2048),
            otherIdPKey: try! _RSA.Signing.PrivateKey(keySize: .bits2048)
        )
    }()

    private init(idpKey: _RSA.Signing.PrivateKey, otherIdPKey: _RSA.Signing.PrivateKey) {
        self.idpKey = idpKey
        self.otherIdPKey = otherIdPKey
    }

    var jwksJSON: String {
        let primitives = try! idpKey.publicKey.getKeyPrimitives()
        let n = Self.base64url(primitives.modulus, padded: false)
        let e = Self.base64url(primitives.publicExponent, padded: false)
        return #"{"keys":[{"kty":"RSA","kid":"\#(Self.idpKid)","alg":"RS256","use":"sig","n":"\#(n)","e":"\#(e)"}]}"#
    }

    func trust() throws -> BackendTrust {
        try BackendTrust(
            loadBalancerKeysPEM: [Self.lbKid: lbKey.publicKey.pemRepresentation], jwksJSON: jwksJSON,
            expectedSigner: Self.signer, expectedClient: Self.client, expectedIssuer: Self.issuer
        )
    }

    static func base64url(_ data: some DataProtocol, padded: Bool) -> String {
        var text = Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        if !padded { text = text.replacingOccurrences(of: "=", with: "") }
        return text
    }

    static func json(_ object: [String: Any]) -> Data {
        try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    /// `x-amzn-oidc-data` as ALB makes it: ES256, raw r‖s, base64url *with* padding.
    func oidcData(
        sub: String = "sub-alice", username: String = "alice", kid: String = BackendTestKeys.lbKid,
        signer: String = BackendTestKeys.signer, client: String = BackendTestKeys.client,
        exp: Date = BackendTestKeys.now.addingTimeInterval(120), key: P256.Signing.PrivateKey? = nil,
        alg: String = "ES256", padded: Bool = true
    ) -> String {
        let header = Self.json([
            "alg": alg, "kid": kid, "signer": signer, "iss": Self.issuer, "client": client,
            "exp": Int(exp.timeIntervalSince1970), "typ": "JWT",
        ])
        let payload = Self.json([
            "sub": sub, "username": username, "email": "\(username)@example.test",
            "exp": Int(exp.timeIntervalSince1970), "iss": Self.issuer,
        ])
        let input = Self.base64url(header, padded: padded) + "." + Self.base64url(payload, padded: padded)
        let signature = try! (key ?? lbKey).signature(for: Data(input.utf8)).rawRepresentation
        return input + "." + Self.base64url(signature, padded: padded)
    }

    /// An RS256 Cognito-style access token.
    func accessToken(
        sub: String = "sub-alice", username: String = "alice", groups: [String] = ["managers"],
        tokenUse: String = "access", clientId: String = BackendTestKeys.client, kid: String = BackendTestKeys.idpKid,
        exp: Date = BackendTestKeys.now.addingTimeInterval(3600), key: _RSA.Signing.PrivateKey? = nil
    ) -> String {
        let header = Self.json(["alg": "RS256", "kid": kid])
        let payload = Self.json([
            "sub": sub, "username": username, "cognito:groups": groups, "token_use": tokenUse, "client_id": clientId,
            "iss": Self.issuer, "exp": Int(exp.timeIntervalSince1970), "scope": "openid",
        ])
        let input = Self.base64url(header, padded: false) + "." + Self.base64url(payload, padded: false)
        let signature = try! (key ?? idpKey).signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
        return input + "." + Self.base64url(signature.rawRepresentation, padded: false)
    }

    func headers(
        data: String? = nil, accessToken: String? = nil, identity: String? = "sub-alice"
    ) -> HTTPFields {
        var fields = HTTPFields()
        fields[HTTPField.Name("x-amzn-oidc-data")!] = data ?? oidcData()
        fields[HTTPField.Name("x-amzn-oidc-accesstoken")!] = accessToken ?? self.accessToken()
        if let identity { fields[HTTPField.Name("x-amzn-oidc-identity")!] = identity }
        return fields
    }
}

extension HTTPField.Name {
    static let servedByForTests = HTTPField.Name("X-Served-By")!
}

/// Decodes an API error body.
struct ErrorBody: Decodable {
    struct Detail: Decodable {
        var code: String
        var message: String
        var field: String?
    }
    var error: Detail
}

/// Runs an outside tool to completion without blocking a cooperative thread (the server under test
/// shares the pool); returns exit status and stdout with stderr.
func runTool(_ path: String, _ arguments: [String], timeout: TimeInterval = 30) async throws -> (status: Int32, output: String) {
    let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("gauntlet-tool-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: outputFile.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: outputFile) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let handle = try FileHandle(forWritingTo: outputFile)
    process.standardOutput = handle
    // stderr too: a failing check script says why there.
    process.standardError = handle
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        process.terminationHandler = { _ in continuation.resume() }
        do {
            try process.run()
        } catch {
            continuation.resume(throwing: error)
            return
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            if process.isRunning { process.terminate() }
        }
    }
    return (process.terminationStatus, String(decoding: try Data(contentsOf: outputFile), as: UTF8.self))
}

/// A script under `scripts/verify/` of this package, for tests that run the CI checks themselves.
func verifyScript(_ name: String) -> String {
    // Walk up from this file to the package root (the folder with Package.swift), wherever the file sits.
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while directory.path != "/", !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
        directory.deleteLastPathComponent()
    }
    return directory.appendingPathComponent("scripts/verify/\(name)").path
}
