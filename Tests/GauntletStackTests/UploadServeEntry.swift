import Foundation
import Glibc
import Hummingbird
import Testing
@testable import StackUpload

/// Entry points for `scripts/crash-test.sh` and `scripts/bench/upload.sh`, which run this test binary as a
/// server process (there is no executable of its own until `gauntlet stack` wires the gateway in). Both are
/// skipped unless their environment variables are set, so `swift test` never runs them.
///
/// - `GAUNTLET_UPLOAD_SERVE_STATE=<dir> GAUNTLET_UPLOAD_SERVE_PORT=<port> GAUNTLET_UPLOAD_READY=<file>`: serves
///   the gateway (plain HTTP on 127.0.0.1, demo key seed "gauntlet", no throttling unless
///   `GAUNTLET_UPLOAD_SERVE_RATE`/`_BURST` are set) on the store in `<dir>` and
///   writes `{"port":…,"api_key":…,"recovered_events":…,"dropped_tail_bytes":…}` to `<file>` once listening.
///   Runs until killed; on SIGTERM it closes the store and writes commit stats to `<file>.stats`.
/// - `GAUNTLET_UPLOAD_DUMP_STATE=<dir> GAUNTLET_UPLOAD_DUMP_OUT=<file>`: writes the `id` member of every stored
///   event, one per line, to `<file>` (ids only: no event content leaves the store in clear).
@Suite("Upload server entry (scripts only)")
struct UploadServeEntry {
    static let environment = ProcessInfo.processInfo.environment

    @Test(.enabled(if: ProcessInfo.processInfo.environment["GAUNTLET_UPLOAD_SERVE_STATE"] != nil))
    func serve() async throws {
        let state = try #require(Self.environment["GAUNTLET_UPLOAD_SERVE_STATE"])
        let ready = try #require(Self.environment["GAUNTLET_UPLOAD_READY"])
        var config = UploadConfig()
        config.port = Int(Self.environment["GAUNTLET_UPLOAD_SERVE_PORT"] ?? "0") ?? 0
        config.rateLimit = Double(Self.environment["GAUNTLET_UPLOAD_SERVE_RATE"] ?? "") ?? 1_000_000_000
        config.burstLimit = Double(Self.environment["GAUNTLET_UPLOAD_SERVE_BURST"] ?? "") ?? 1_000_000_000
        config.demoKeySeed = "gauntlet"
        let store = try EventStore(directory: state)
        let gateway = try await UploadGateway(config: config, store: store, jwks: nil)
        let recovery = store.recovery
        let app = gateway.buildApplication { channel in
            let port = channel.localAddress?.port ?? 0
            let line = "{\"port\":\(port),\"api_key\":\"\(gateway.apiKeys[0].value)\",\"recovered_events\":\(recovery.events),\"dropped_tail_bytes\":\(recovery.droppedTailBytes)}\n"
            try? Data(line.utf8).write(to: URL(fileURLWithPath: ready + ".tmp"))
            _ = rename(ready + ".tmp", ready)
        }
        try await app.runService()
        let stats = store.commitStats
        await store.close()
        let line = "{\"syncs\":\(stats.syncs),\"batches\":\(stats.batches),\"events\":\(stats.events),\"bytes\":\(stats.bytes)}\n"
        try Data(line.utf8).write(to: URL(fileURLWithPath: ready + ".stats"))
        #expect(stats.events == Int(store.endOffset) - recovery.events)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["GAUNTLET_UPLOAD_DUMP_STATE"] != nil))
    func dump() async throws {
        let state = try #require(Self.environment["GAUNTLET_UPLOAD_DUMP_STATE"])
        let out = try #require(Self.environment["GAUNTLET_UPLOAD_DUMP_OUT"])
        let store = try EventStore(directory: state)
        var ids: [String] = []
        var offset = store.startOffset
        while true {
            let page = try store.read(from: offset, limit: 10_000)
            guard let last = page.last else { break }
            ids += page.map { eventID($0) ?? "?" }
            offset = last.offset + 1
        }
        #expect(ids.count == store.eventCount)
        try Data((ids.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: out))
        await store.close()
    }
}
