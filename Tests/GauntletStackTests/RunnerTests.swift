import AsyncHTTPClient
import Foundation
import GauntletStack
import Hummingbird
import Logging
import ServiceLifecycle
import NIOCore
import StackIdentity
import StackSupport
import Testing

@Suite struct RunnerTests {
    @Test(.timeLimit(.minutes(2))) func startsOnEphemeralPortsPublishesEndpointsAndServesTLS() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try StackConfig.load(nil)
        var small = config
        small.identity.demoUsers.managers = 2
        small.identity.demoUsers.analysts = 2
        small.identity.passwordHashRounds = 1000
        let stack = try await ReferenceStack.start(config: small, stateDirectory: dir)
        let e = stack.endpoints
        #expect(e.direct.idp?.hasPrefix("https://127.0.0.1:") == true)
        #expect(e.urls.idp?.hasPrefix("https://auth.example.logs.gauntlet.test:") == true)
        let port = Int(e.direct.idp!.split(separator: ":").last!)!
        #expect(e.resolve.contains("auth.example.logs.gauntlet.test:\(port):127.0.0.1"))
        // Every component of the stack is up and published.
        for url in [e.urls.lb, e.urls.upload, e.direct.lb, e.direct.upload, e.direct.manager, e.direct.analytics, e.lbKeyUrl] {
            #expect(url?.hasPrefix("https://") == true)
        }
        #expect(e.resolve.count == 3)
        #expect((e.dns?.port ?? 0) > 0)
        #expect(e.lbSigner?.hasPrefix("arn:aws:elasticloadbalancing:") == true)
        #expect(e.apiKeys.count >= 1)
        #expect(e.accessLog?.hasPrefix(dir.path) == true)
        #expect(e.userPoolId?.hasPrefix("us-east-1_") == true)
        #expect(e.jwksUrl == "\(e.urls.idp!)/\(e.userPoolId!)/.well-known/jwks.json")
        #expect(e.clients["web"]?.clientSecret != nil)
        #expect(e.clients["api"]?.clientSecret == nil)
        #expect(e.clients["uploader"]?.scope == "gauntlet-upload/events.write")
        #expect(e.users.count == 4)

        // The JSON keys are the public interface: check them as a consumer sees them.
        let json = try JSONSerialization.jsonObject(with: e.jsonData()) as? [String: Any] ?? [:]
        for key in ["urls", "direct", "resolve", "dns", "ca_file", "region", "user_pool_id", "jwks_url", "clients", "users",
                    "api_keys", "lb_key_url", "lb_signer", "access_log", "state_dir"] {
            #expect(json.keys.contains(key), "endpoints file lacks \(key)")
        }

        let ca = try StackCA.loadOrCreate(stateDirectory: dir, hostnames: StackNames().all)
        #expect(ca.caFile.path == e.caFile)
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: ca.clientTLSConfiguration()))
        var request = HTTPClientRequest(url: e.direct.idp! + "/")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-amz-json-1.1")
        request.headers.add(name: "X-Amz-Target", value: "AWSCognitoIdentityProviderService.InitiateAuth")
        let body: [String: Any] = [
            "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": e.clients["api"]!.clientId,
            "AuthParameters": ["USERNAME": e.users[0].username, "PASSWORD": e.users[0].password],
        ]
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response = try await client.execute(request, timeout: .seconds(10))
        #expect(response.status == .ok)
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        #expect(text.contains("AccessToken"))
        try await client.shutdown()
        try await stack.shutdown()
    }

    @Test func configErrorsNameTheKeyAndLine() throws {
        do {
            _ = try StackConfigLoader.decode(StackConfig.self, yaml: "seed: 1\nidentity:\n  quota:\n    auth_rsp: 5\n", file: "stack.yaml")
            Issue.record("expected an error")
        } catch let error as StackConfigError {
            #expect(error.description.hasPrefix("stack.yaml:4:"))
            #expect(error.path == "identity.quota.auth_rsp")
            #expect(error.message.contains("auth_rps"))
        }
        do {
            _ = try StackConfigLoader.decode(StackConfig.self, yaml: "regoin: eu-west-1\n")
            Issue.record("expected an error")
        } catch let error as StackConfigError {
            #expect(error.line == 1)
            #expect(error.message.contains("unknown key 'regoin'"))
        }
        do {
            _ = try StackConfigLoader.decode(StackConfig.self, yaml: "region: mars\n")
            Issue.record("expected an error")
        } catch let error as StackConfigError {
            #expect(error.path == "region")
        }
        let ok = try StackConfigLoader.decode(StackConfig.self, yaml: "seed: 9\nidentity:\n  demo_users: {managers: 1}\n")
        #expect(ok.seed == 9)
        #expect(ok.identity.demoUsers.managers == 1)
        #expect(ok.identity.demoUsers.analysts == 200)
    }
}

@Suite struct RunnerDeferredServiceTests {
    @Test(.timeLimit(.minutes(1))) func deferredServiceIsBuiltWithItsDependencysRealPort() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ca = try StackCA.loadOrCreate(stateDirectory: dir, hostnames: StackNames().all)
        let logger = Logger(label: "test")
        let first = BoundPort(name: "first")
        let second = BoundPort(name: "second")
        let firstRouter = Router()
        firstRouter.get("/") { _, _ in "first" }
        let firstApp = try TLSListener.application(
            router: firstRouter, name: "first", port: 0, tls: try ca.serverTLSConfiguration(), bound: first, logger: logger)
        let tls = try ca.serverTLSConfiguration()
        let deferred = DeferredService {
            let dependency = try await first.value()
            let router = Router()
            router.get("/dependency") { _, _ in "\(dependency)" }
            return try TLSListener.application(router: router, name: "second", port: 0, tls: tls, bound: second, logger: logger)
        }
        let group = ServiceGroup(services: [firstApp, deferred], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let firstPort = try await first.value()
            let secondPort = try await second.value()
            #expect(firstPort != secondPort)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: ca.clientTLSConfiguration()))
            let response = try await client.execute(HTTPClientRequest(url: "https://127.0.0.1:\(secondPort)/dependency"), timeout: .seconds(10))
            #expect(String(buffer: try await response.body.collect(upTo: 100)) == "\(firstPort)")
            try await client.shutdown()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
