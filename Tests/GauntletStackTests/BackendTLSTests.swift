import Foundation
import Logging
import ServiceLifecycle
import StackBackends
import StackSupport
import Testing

/// Both backends started the way the runner starts them (TLS with the stack CA, ports reported),
/// probed with the real curl CLI.
@Suite(
    "Backends over TLS, probed with curl",
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")),
    .timeLimit(.minutes(1))
)
struct BackendTLSTests {
    let keys = BackendTestKeys.shared

    @Test func directRequestsGet401AndLoadBalancedOnesGetData() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let names = StackNames()
        let ca = try StackCA.loadOrCreate(stateDirectory: directory, hostnames: names.all)
        let logger = Logger(label: "backend-tls-test")
        let context = StackContext(names: names, ca: ca, stateDirectory: directory, seed: 1, region: "us-east-1", logger: logger)
        let services = try Backends.make(
            config: BackendsConfig(), context: context, trust: try keys.trust(),
            users: [DirectoryUser(username: "alice", email: "alice@example.test", groups: ["managers"])],
            events: InMemoryEventSource()
        )
        let group = ServiceGroup(services: [services.manager, services.analytics], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let managerPort = try await services.managerPort.value()
            let analyticsPort = try await services.analyticsPort.value()
            let tls = ["--cacert", ca.caFile.path, "--tlsv1.2", "-s", "-D", "-"]

            let direct = try await runTool("/usr/bin/curl", tls + ["https://127.0.0.1:\(managerPort)/manager/api/users"])
            #expect(direct.status == 0)
            #expect(direct.output.hasPrefix("HTTP/1.1 401"), "\(direct.output)")
            #expect(direct.output.lowercased().contains("x-served-by: manager-ui"))
            #expect(direct.output.contains(#""code":"missing_header""#))

            let soon = Date().addingTimeInterval(300)
            let headerArgs = keys.headers(data: keys.oidcData(exp: soon), accessToken: keys.accessToken(exp: soon))
                .flatMap { ["-H", "\($0.name.rawName): \($0.value)"] }
            let viaLB = try await runTool("/usr/bin/curl", tls + headerArgs + ["https://127.0.0.1:\(managerPort)/manager/api/users"])
            #expect(viaLB.output.hasPrefix("HTTP/1.1 200"), "\(viaLB.output)")
            #expect(viaLB.output.contains(#""username":"alice""#))

            let analytics = try await runTool("/usr/bin/curl", tls + headerArgs + ["https://127.0.0.1:\(analyticsPort)/analytics/api/counts?interval=1h"])
            #expect(analytics.output.hasPrefix("HTTP/1.1 200"), "\(analytics.output)")
            #expect(analytics.output.lowercased().contains("x-served-by: analytics-ui"))
            #expect(analytics.output.contains(#""total":0"#))

            let tls11 = try await runTool(
                "/usr/bin/curl", ["--cacert", ca.caFile.path, "-s", "--tlsv1.1", "--tls-max", "1.1", "https://127.0.0.1:\(managerPort)/"]
            )
            #expect(tls11.status != 0, "TLS 1.1 must be refused")

            let script = try await runTool(
                "/bin/bash", [verifyScript("backends_direct.sh"), "https://127.0.0.1:\(managerPort)", "https://127.0.0.1:\(analyticsPort)", ca.caFile.path]
            )
            #expect(script.status == 0, "\(script.output)")
            #expect(script.output.contains("backends_direct: all checks passed"))

            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
