import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import StackIdentity
import StackSupport
import Synchronization
import Testing

/// A settable clock for quota and expiry tests.
final class TestClock: Sendable {
    private let value: Mutex<Double>
    init(_ start: Double = 1_800_000_000) { value = Mutex(start) }
    var now: Double { value.withLock { $0 } }
    func advance(_ seconds: Double) { value.withLock { $0 += seconds } }
}

/// An identity provider with a small pool and cheap hashing, tested through its router (no sockets).
struct IdentityFixture {
    let idp: IdentityProvider
    let directory: URL
    let clock: TestClock

    static func make(_ adjust: (inout IdentityConfig) -> Void = { _ in }) async throws -> IdentityFixture {
        var config = IdentityConfig()
        config.demoUsers.managers = 2
        config.demoUsers.analysts = 3
        config.passwordHashRounds = 1000
        adjust(&config)
        let directory = try makeTemporaryDirectory()
        let names = StackNames()
        let ca = try StackCA.loadOrCreate(stateDirectory: directory, hostnames: names.all)
        let context = StackContext(
            names: names, ca: ca, stateDirectory: directory, seed: 7, region: "us-east-1", logger: Logger(label: "test"))
        let clock = TestClock()
        let idp = try await IdentityProvider.make(config: config, context: context, clock: { clock.now })
        return IdentityFixture(idp: idp, directory: directory, clock: clock)
    }

    func cleanup() { try? FileManager.default.removeItem(at: directory) }

    func test<T>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        try await Application(router: idp.buildRouter()).test(.router, body)
    }

    var web: UserPool.Client { idp.pool.clientsByName["web"]! }
    var api: UserPool.Client { idp.pool.clientsByName["api"]! }
    var uploader: UserPool.Client { idp.pool.clientsByName["uploader"]! }
    var manager: UserPool.Credential { idp.pool.credentials.first { $0.groups == ["managers"] }! }
    var analyst: UserPool.Credential { idp.pool.credentials.first { $0.groups == ["analysts"] }! }
}

struct APIResult {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let json: [String: Any]
    var errorType: String? { json["__type"] as? String }
    var message: String? { json["message"] as? String }
    var result: [String: Any] { json["AuthenticationResult"] as? [String: Any] ?? [:] }
}

extension TestClientProtocol {
    func cognito(
        _ operation: String, _ body: [String: Any], contentType: String = "application/x-amz-json-1.1"
    ) async throws -> APIResult {
        let data = try JSONSerialization.data(withJSONObject: body)
        return try await cognitoRaw(operation, body: ByteBuffer(bytes: data), contentType: contentType)
    }

    func cognitoRaw(_ operation: String?, body: ByteBuffer, contentType: String = "application/x-amz-json-1.1") async throws -> APIResult {
        var headers: HTTPFields = [.contentType: contentType]
        if let operation { headers[HTTPField.Name("X-Amz-Target")!] = "AWSCognitoIdentityProviderService.\(operation)" }
        return try await execute(uri: "/", method: .post, headers: headers, body: body) { response in
            let object = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any]
            return APIResult(status: response.status, headers: response.headers, json: object ?? [:])
        }
    }

    func form(_ uri: String, _ pairs: [(String, String)], headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        let body = pairs.map { "\(escapeForm($0.0))=\(escapeForm($0.1))" }.joined(separator: "&")
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }
}

func escapeForm(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed)!
}

/// The decoded header and payload of a JWT (no verification: that is the issuer's test).
func jwtParts(_ token: String) -> (header: [String: Any], payload: [String: Any]) {
    func decode(_ part: Substring) -> [String: Any] {
        var s = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return (try? JSONSerialization.jsonObject(with: Data(base64Encoded: s) ?? Data())) as? [String: Any] ?? [:]
    }
    let parts = token.split(separator: ".")
    guard parts.count == 3 else { return ([:], [:]) }
    return (decode(parts[0]), decode(parts[1]))
}

func queryItems(_ url: String) -> [String: String] {
    var result: [String: String] = [:]
    for item in URLComponents(string: url)?.queryItems ?? [] { result[item.name] = item.value }
    return result
}
