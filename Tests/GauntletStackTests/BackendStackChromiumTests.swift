import Foundation
import Logging
import ServiceLifecycle
import StackBackends
import StackEdge
import StackIdentity
import StackSupport
import Testing

enum BrowserTools {
    /// chromium, openssl and python3 with websocket-client (pip install websocket-client).
    static let present: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"),
              FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")
        else { return false }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import websocket"]
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()
}

/// The browser check, end to end: the real identity provider, the real load balancer and the
/// real backends on ephemeral ports, and `scripts/verify/chromium_login.sh` driving headless Chromium
/// through the hosted login to the Manager UI with data loaded.
@Suite(
    "Chromium logs in through the stack to each role's UI",
    .enabled(if: BrowserTools.present),
    .serialized,
    .timeLimit(.minutes(3))
)
struct BackendStackChromiumTests {
    @Test func managerAndAnalystLogInAndLandOnTheirUI() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var logger = Logger(label: "backend-stack-chromium")
        logger.logLevel = .warning
        let names = StackNames()
        let ca = try StackCA.loadOrCreate(stateDirectory: dir, hostnames: names.all)
        let context = StackContext(names: names, ca: ca, stateDirectory: dir, seed: 42, region: "us-east-1", logger: logger)
        var identityConfig = IdentityConfig()
        identityConfig.demoUsers.managers = 1
        identityConfig.demoUsers.analysts = 1
        identityConfig.passwordHashRounds = 1000
        let idp = try await IdentityProvider.make(config: identityConfig, context: context)
        let web = try #require(idp.pool.clientsByName["web"])

        // The backends start first: the load balancer needs their ports, they need its key and signer.
        let signingKey = EdgeSigningKey()
        let signer = LoadBalancer.signerARN(for: EdgeConfig())
        let trust = try BackendTrust(
            loadBalancerKeysPEM: [signingKey.keyID: signingKey.publicKeyPEM], jwksJSON: try idp.tokens.jwksJSON(),
            expectedSigner: signer, expectedClient: web.clientId, expectedIssuer: idp.issuer
        )
        let users = idp.pool.users.values.map { DirectoryUser(username: $0.username, email: $0.email, groups: $0.groups) }
        let backends = try Backends.make(
            config: BackendsConfig(), context: context, trust: trust, users: users, events: InMemoryEventSource()
        )
        let early = ServiceGroup(configuration: .init(
            services: [try idp.application(logger: logger), backends.manager, backends.analytics], logger: logger
        ))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await early.run() }
            let idpPort = try await idp.bound.value()
            let managerPort = try await backends.managerPort.value()
            let analyticsPort = try await backends.analyticsPort.value()
            let config = EdgeConfig()
                .withTargets(EdgeConfig.managerTargetGroup, ["https://127.0.0.1:\(managerPort)"])
                .withTargets(EdgeConfig.analyticsTargetGroup, ["https://127.0.0.1:\(analyticsPort)"])
            let lb = try LoadBalancer(
                config: config,
                idp: IdentityProviderEndpoints(
                    publicBaseURL: "https://\(names.identityProvider):\(idpPort)", internalBaseURL: "https://127.0.0.1:\(idpPort)",
                    issuer: idp.issuer
                ),
                client: OIDCClientCredentials(clientID: web.clientId, clientSecret: try #require(web.clientSecret)),
                tls: EdgeTLS(listener: try ca.serverTLSConfiguration(), upstream: ca.clientTLSConfiguration()),
                accessLog: nil, signingKey: signingKey, logger: logger
            )
            #expect(lb.signer == signer)
            let late = ServiceGroup(configuration: .init(services: [lb], logger: logger))
            try await withThrowingTaskGroup(of: Void.self) { inner in
                inner.addTask { try await late.run() }
                let lbPort = await lb.waitUntilRunning()
                idp.registerCallback(client: "web", url: "https://\(names.loadBalancer):\(lbPort)/oauth2/idpresponse")

                let endpoints: [String: Any] = [
                    "urls": ["lb": "https://\(names.loadBalancer):\(lbPort)", "idp": "https://\(names.identityProvider):\(idpPort)"],
                    "ca_file": ca.caFile.path,
                    "users": idp.pool.credentials.map { ["username": $0.username, "password": $0.password, "groups": $0.groups] },
                ]
                let endpointsFile = dir.appendingPathComponent("endpoints.json")
                try JSONSerialization.data(withJSONObject: endpoints).write(to: endpointsFile)
                let screenshot = ProcessInfo.processInfo.environment["GAUNTLET_KEEP_SCREENSHOTS"].map { "\($0)/manager-login.png" }
                    ?? dir.appendingPathComponent("manager-login.png").path
                let run = try await runTool(
                    "/bin/bash", [verifyScript("chromium_login.sh"), endpointsFile.path, "--screenshot", screenshot], timeout: 120
                )
                #expect(run.status == 0, "\(run.output)")
                #expect(run.output.contains("the Manager UI overview loaded 2 users from its API"), "\(run.output)")
                #expect(run.output.contains("/manager/users shows 2 user rows"), "\(run.output)")
                let png = try #require(FileManager.default.contents(atPath: screenshot))
                #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))

                let analyst = try await runTool(
                    "/bin/bash", [verifyScript("chromium_login.sh"), endpointsFile.path, "--role", "analyst",
                                  "--screenshot", dir.appendingPathComponent("analyst.png").path], timeout: 120
                )
                #expect(analyst.status == 0, "\(analyst.output)")
                #expect(analyst.output.contains("the Analytics UI drew 24 bars (0 events)"), "\(analyst.output)")
                #expect(analyst.output.contains("refused with 403"), "\(analyst.output)")

                await late.triggerGracefulShutdown()
                try await inner.waitForAll()
            }
            await early.triggerGracefulShutdown()
            try await group.waitForAll()
        }
    }
}
