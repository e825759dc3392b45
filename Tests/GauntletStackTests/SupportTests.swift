import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOSSL
import ServiceLifecycle
import StackSupport
import Testing

/// A fresh temporary state directory, removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("gauntlet-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs a process to completion and returns its exit status and combined output.
func runProcess(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Suite struct SupportCATests {
    @Test func leafVerifiesAgainstCAWithOpenSSLAndCoversNamesAndLoopback() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let names = StackNames()
        let ca = try StackCA.loadOrCreate(stateDirectory: dir, hostnames: names.all)

        for host in names.all {
            let (status, output) = try runProcess(
                "/usr/bin/openssl",
                ["verify", "-CAfile", ca.caFile.path, "-verify_hostname", host, ca.leafFile.path])
            #expect(status == 0, "openssl verify for \(host): \(output)")
        }
        let (status, output) = try runProcess(
            "/usr/bin/openssl", ["verify", "-CAfile", ca.caFile.path, "-verify_ip", "127.0.0.1", ca.leafFile.path])
        #expect(status == 0, "\(output)")
        let (wrong, _) = try runProcess(
            "/usr/bin/openssl", ["verify", "-CAfile", ca.caFile.path, "-verify_hostname", "evil.example", ca.leafFile.path])
        #expect(wrong != 0)

        let keyMode = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("ca-key.pem").path)[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
        let leafKeyMode = try FileManager.default.attributesOfItem(atPath: ca.leafKeyFile.path)[.posixPermissions] as? Int
        #expect(leafKeyMode == 0o600)
    }

    @Test func reloadKeepsTheSameCAAndReissuesLeafForNewNames() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try StackCA.loadOrCreate(stateDirectory: dir, hostnames: StackNames().all)
        let again = try StackCA.loadOrCreate(stateDirectory: dir, hostnames: StackNames().all)
        #expect(first.caCertificate == again.caCertificate)
        #expect(first.leafCertificate == again.leafCertificate)
        let other = try StackCA.loadOrCreate(stateDirectory: dir, hostnames: StackNames(domain: "other.test").all)
        #expect(other.caCertificate == first.caCertificate)
        #expect(other.leafCertificate != first.leafCertificate)
    }

    @Test func namesDeriveFromTheDomain() {
        let names = StackNames(domain: "corp.test", tenant: "acme")
        #expect(names.loadBalancer == "acme.logs.corp.test")
        #expect(names.identityProvider == "auth.acme.logs.corp.test")
        #expect(names.upload == "upload.acme.logs.corp.test")
    }
}

@Suite struct SupportTLSListenerTests {
    @Test(.timeLimit(.minutes(1))) func servesTLS12PlusAndRefusesOlder() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let names = StackNames()
        let ca = try StackCA.loadOrCreate(stateDirectory: dir, hostnames: names.all)
        let router = Router()
        router.get("/hello") { _, _ in "hi" }
        let bound = BoundPort(name: "test")
        let app = try TLSListener.application(
            router: router, name: "test", port: 0, tls: try ca.serverTLSConfiguration(), bound: bound,
            logger: Logger(label: "test"))

        try await withThrowingTaskGroup(of: Void.self) { group in
            let serviceGroup = ServiceGroup(
                configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "test")))
            group.addTask { try await serviceGroup.run() }
            let port = try await bound.value()
            #expect(port > 0)

            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: ca.clientTLSConfiguration()))
            var request = HTTPClientRequest(url: "https://127.0.0.1:\(port)/hello")
            request.method = .GET
            let response = try await client.execute(request, timeout: .seconds(10))
            #expect(response.status == .ok)
            let body = try await response.body.collect(upTo: 1024)
            #expect(String(buffer: body) == "hi")

            let (status, output) = try runProcess(
                "/usr/bin/openssl",
                ["s_client", "-connect", "127.0.0.1:\(port)", "-tls1_1", "-CAfile", ca.caFile.path])
            #expect(status != 0, "a TLS 1.1 handshake must be refused: \(output.prefix(300))")
            let (ok, okOutput) = try runProcess(
                "/usr/bin/openssl",
                ["s_client", "-connect", "127.0.0.1:\(port)", "-tls1_2", "-servername", names.loadBalancer,
                 "-verify_return_error", "-CAfile", ca.caFile.path])
            #expect(ok == 0, "\(okOutput.suffix(300))")

            try await client.shutdown()
            await serviceGroup.triggerGracefulShutdown()
            try await group.waitForAll()
        }
    }
}

@Suite struct SupportConfigTests {
    struct Section: StackConfigSection {
        var port = 0
        var name = "x"
        var nested = Inner()

        struct Inner: StackConfigSection {
            var rate = 1.0
            init() {}
            enum CodingKeys: String, CodingKey, CaseIterable { case rate }
            init(from decoder: any Decoder) throws {
                try decoder.rejectUnknownKeys(CodingKeys.self)
                let c = try decoder.container(keyedBy: CodingKeys.self)
                rate = try c.value(.rate, default: Self().rate)
            }
        }

        init() {}
        enum CodingKeys: String, CodingKey, CaseIterable { case port, name, nested }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Self()
            port = try c.value(.port, default: d.port)
            name = try c.value(.name, default: d.name)
            nested = try c.value(.nested, default: d.nested)
        }
    }

    @Test func defaultsFillMissingKeys() throws {
        let s = try StackConfigLoader.decode(Section.self, yaml: "port: 8443\n")
        #expect(s.port == 8443)
        #expect(s.name == "x")
        #expect(s.nested.rate == 1.0)
        #expect(try StackConfigLoader.decode(Section.self, yaml: "") == Section())
    }

    @Test func unknownKeyNamesKeyAndLine() throws {
        do {
            _ = try StackConfigLoader.decode(Section.self, yaml: "port: 1\nnested:\n  rate: 2\n  burst: 3\n", file: "s.yaml")
            Issue.record("expected an error")
        } catch let error as StackConfigError {
            #expect(error.line == 4)
            #expect(error.path == "nested.burst")
            #expect(error.description.contains("unknown key 'burst'"))
            #expect(error.description.hasPrefix("s.yaml:4:"))
        }
    }

    @Test func wrongTypeNamesLine() throws {
        do {
            _ = try StackConfigLoader.decode(Section.self, yaml: "name: a\nport: lots\n")
            Issue.record("expected an error")
        } catch let error as StackConfigError {
            #expect(error.line == 2)
            #expect(error.path == "port")
        }
    }
}
