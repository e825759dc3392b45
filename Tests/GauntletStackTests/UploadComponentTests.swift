import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import StackSupport
import Testing
@testable import StackUpload

/// The gateway as the runner starts it: TLS on 127.0.0.1 port 0, store under `<state>/upload`.
@Suite("Upload component over TLS")
struct UploadComponentTests {
    @Test(.timeLimit(.minutes(1)))
    func uploadOverTLSWithCurlAndHTTPClient() async throws {
        let dir = TemporaryStateDirectory("component")
        defer { dir.cleanUp() }
        let state = URL(fileURLWithPath: dir.path)
        let names = StackNames()
        let ca = try StackCA.loadOrCreate(stateDirectory: state, hostnames: names.all)
        let context = StackContext(names: names, ca: ca, stateDirectory: state, seed: 7, region: "us-east-1", logger: Logger(label: "test"))
        let upload = try await UploadComponent.make(config: UploadConfig(), port: 0, context: context, jwks: nil)
        let app = try upload.application(logger: Logger(label: "test"))
        let marker = "TLS-MARKER-\(UUID().uuidString)"

        try await withThrowingTaskGroup(of: Void.self) { group in
            let serviceGroup = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "test")))
            group.addTask { try await serviceGroup.run() }
            let port = try await upload.bound.value()
            #expect(upload.urlByName == "https://upload.example.logs.gauntlet.test:\(port)")
            #expect(upload.apiKeyValues == UploadConfig.demoAPIKeys(seed: "7", count: 3).map(\.value))
            let key = upload.apiKeyValues[0]

            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: ca.clientTLSConfiguration()))
            var request = HTTPClientRequest(url: "https://127.0.0.1:\(port)/v1/events")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-ndjson")
            request.headers.add(name: "x-api-key", value: key)
            request.body = .bytes(ByteBuffer(string: sampleEvents(100, prefix: "tls", marker: marker).joined(separator: "\n")))
            let response = try await client.execute(request, timeout: .seconds(10))
            #expect(response.status == .accepted)
            let body = try await response.body.collect(upTo: 4096)
            #expect(String(buffer: body).hasPrefix("{\"accepted\":100,"))
            try await client.shutdown()

            // curl, by name through --resolve, verifying the stack CA.
            let file = NSTemporaryDirectory() + "gauntlet-curl-body-\(UUID().uuidString).ndjson"
            defer { try? FileManager.default.removeItem(atPath: file) }
            try Data(sampleEvents(50, prefix: "curl", marker: marker).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: file))
            let (status, output) = try runProcess(
                "/usr/bin/curl",
                ["-sS", "--cacert", ca.caFile.path, "--resolve", upload.resolveEntry!, "-o", "-", "-w", "\n%{http_code}",
                 "-H", "Content-Type: application/x-ndjson", "-H", "x-api-key: \(key)", "--data-binary", "@\(file)",
                 "\(upload.urlByName!)/v1/events"])
            #expect(status == 0)
            #expect(output.hasSuffix("\n202") && output.contains("\"accepted\":50"), "\(output)")
            #expect(try upload.store.search(term: marker, limit: 1000).count == 150)

            await serviceGroup.triggerGracefulShutdown()
            try await group.waitForAll()
        }
        await upload.close()
        #expect(dir.filesContaining(marker).isEmpty)
    }
}
