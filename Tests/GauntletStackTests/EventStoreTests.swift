import Foundation
import Glibc
import Testing
import StackUpload

@Suite("EventStore")
struct EventStoreTests {
    @Test("appended batches come back in order with contiguous offsets")
    func appendAndRead() async throws {
        let dir = TemporaryStateDirectory()
        defer { dir.cleanUp() }
        let store = try EventStore(directory: dir.path)
        let first = try await store.append(try ndjsonBatch(sampleEvents(5, prefix: "a")))
        let second = try await store.append(try ndjsonBatch(sampleEvents(3, prefix: "b")))
        #expect(first.offset == 0 && first.count == 5)
        #expect(second.offset == 5 && second.count == 3)
        #expect(first.batchID != second.batchID && first.batchID.count == 32)
        let events = try store.read(from: 0, limit: 100)
        #expect(events.map(\.offset) == Array(0..<8))
        #expect(events.compactMap(eventID) == (0..<5).map { "a-\($0)" } + (0..<3).map { "b-\($0)" })
        #expect(events[1].source == "app-1")
        #expect(events[0].timestampMillis == 1_795_910_400_000)
        #expect(try store.read(from: 6, limit: 1).compactMap(eventID) == ["b-1"])
        await store.close()
    }

    @Test("concurrent appends share fsyncs, and every one is acknowledged exactly once")
    func groupCommit() async throws {
        let dir = TemporaryStateDirectory()
        defer { dir.cleanUp() }
        let store = try EventStore(directory: dir.path)
        let receipts = try await withThrowingTaskGroup(of: AppendReceipt.self) { group in
            for b in 0..<64 {
                group.addTask { try await store.append(try ndjsonBatch(sampleEvents(10, prefix: "g\(b)"))) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let stats = store.commitStats
        #expect(stats.batches == 64 && stats.events == 640)
        #expect(stats.syncs < 64, "64 concurrent batches took \(stats.syncs) syncs: no group commit")
        #expect(Set(receipts.map(\.offset)).count == 64)
        #expect(Set(receipts.map(\.offset)) == Set((0..<64).map { UInt64($0 * 10) }))
        let ids = try store.read(from: 0, limit: 1000).compactMap(eventID)
        #expect(ids.count == 640 && Set(ids).count == 640)
        await store.close()
    }

    @Test("a torn last block is dropped on restart and the store goes on from the last whole block")
    func tornTail() async throws {
        let dir = TemporaryStateDirectory()
        defer { dir.cleanUp() }
        var store: EventStore? = try EventStore(directory: dir.path)
        for b in 0..<3 { _ = try await store!.append(try ndjsonBatch(sampleEvents(4, prefix: "t\(b)"))) }
        await store!.close()
        store = nil
        let segment = dir.allFiles().first { $0.hasSuffix(".seg") }!
        let size = try #require(FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int)
        // Cut the last block in half, as a crash in the middle of its write would.
        let lastBlockSize = Int(size) / 3
        #expect(truncate(segment, off_t(Int(size) - lastBlockSize / 2)) == 0)

        let reopened = try EventStore(directory: dir.path)
        #expect(reopened.recovery.blocks == 2 && reopened.recovery.events == 8)
        #expect(reopened.recovery.droppedTailBytes > 0)
        #expect(try reopened.read(from: 0, limit: 100).compactMap(eventID) == sampleIDs("t0", 4) + sampleIDs("t1", 4))
        let next = try await reopened.append(try ndjsonBatch(sampleEvents(2, prefix: "after")))
        #expect(next.offset == 8)
        await reopened.close()

        let again = try EventStore(directory: dir.path)
        #expect(again.recovery.droppedTailBytes == 0 && again.eventCount == 10)
        await again.close()
    }

    @Test("garbage appended after the last block (an unsynced write) is cut off, nothing of it served")
    func garbageTail() async throws {
        let dir = TemporaryStateDirectory()
        defer { dir.cleanUp() }
        let store = try EventStore(directory: dir.path)
        _ = try await store.append(try ndjsonBatch(sampleEvents(3, prefix: "x")))
        await store.close()
        let segment = dir.allFiles().first { $0.hasSuffix(".seg") }!
        let handle = FileHandle(forWritingAtPath: segment)!
        handle.seekToEndOfFile()
        handle.write(Data("GBK1".utf8) + Data(repeating: 0x41, count: 300))
        handle.closeFile()
        let reopened = try EventStore(directory: dir.path)
        #expect(reopened.recovery.droppedTailBytes == 304)
        #expect(reopened.eventCount == 3)
        await reopened.close()
    }

    @Test("a damaged block that is not at the tail fails opening, naming the segment and byte")
    func corruptionIsNotSilentlyDropped() async throws {
        let dir = TemporaryStateDirectory()
        defer { dir.cleanUp() }
        var options = EventStore.Options()
        options.segmentMaxBytes = 4096
        let store = try EventStore(directory: dir.path, options: options)
        for b in 0..<3 { _ = try await store.append(try ndjsonBatch(sampleEvents(40, prefix: "c\(b)"))) }
        await store.close()
        let segments = dir.allFiles().filter { $0.hasSuffix(".seg") }.sorted()
        #expect(segments.count >= 2)
        let handle = FileHandle(forUpdatingAtPath: segments[0])!
        handle.seek(toFileOffset: 100)
        handle.write(Data([0xFF, 0xFF, 0xFF, 0xFF]))
        handle.closeFile()
        #expect(throws: EventStore.StoreError.self) { _ = try EventStore(directory: dir.path, options: options) }
    }

    @Test("the same idempotency key stores once, survives a restart, and refuses a different body")
    func idempotency() async throws {
        let dir = TemporaryStateDirectory()
        defer { dir.cleanUp() }
        let store = try EventStore(directory: dir.path)
        let batch = try ndjsonBatch(sampleEvents(5, prefix: "i"))
        let first = try await store.append(batch, idempotencyKey: "k1")
        let second = try await store.append(batch, idempotencyKey: "k1")
        #expect(!first.replayed && second.replayed)
        #expect(first.batchID == second.batchID && first.offset == second.offset)
        #expect(store.eventCount == 5)
        await #expect(throws: EventStore.StoreError.idempotencyConflict(key: "k1")) {
            _ = try await store.append(try ndjsonBatch(sampleEvents(2, prefix: "other")), idempotencyKey: "k1")
        }
        // Many concurrent retries of one key: one stored, all answered with the same receipt.
        let receipts = try await withThrowingTaskGroup(of: AppendReceipt.self) { group in
            let retried = try ndjsonBatch(sampleEvents(4, prefix: "r"))
            for _ in 0..<20 { group.addTask { try await store.append(retried, idempotencyKey: "k2") } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(receipts.map(\.batchID)).count == 1 && receipts.filter { !$0.replayed }.count == 1)
        #expect(store.eventCount == 9)
        await store.close()

        let reopened = try EventStore(directory: dir.path)
        let third = try await reopened.append(batch, idempotencyKey: "k1")
        #expect(third.replayed && third.batchID == first.batchID && reopened.eventCount == 9)
        await reopened.close()
    }

    @Test("no plaintext byte on disk: a marker in every event is nowhere in the state dir; key file is 0600")
    func encryptedAtRest() async throws {
        let dir = TemporaryStateDirectory()
        defer { dir.cleanUp() }
        let marker = "MARKER-\(UUID().uuidString)"
        let store = try EventStore(directory: dir.path)
        for b in 0..<10 {
            _ = try await store.append(try ndjsonBatch(sampleEvents(50, prefix: marker + "-\(b)", marker: marker)), idempotencyKey: marker + "\(b)")
        }
        #expect(try store.search(term: marker, limit: 1000).count == 500)
        await store.close()
        #expect(dir.allFiles().count >= 2)
        #expect(dir.filesContaining(marker).isEmpty)
        #expect(dir.filesContaining("app-1").isEmpty, "sources are event bytes too")
        let mode = try #require(FileManager.default.attributesOfItem(atPath: dir.path + "/kms-key.json")[.posixPermissions] as? Int)
        #expect(mode == 0o600)
    }

    @Test("a key file readable by others is refused with its mode in the message")
    func keyFilePermissions() async throws {
        let dir = TemporaryStateDirectory()
        defer { dir.cleanUp() }
        await (try EventStore(directory: dir.path)).close()
        chmod(dir.path + "/kms-key.json", 0o644)
        let error = #expect(throws: StoreKeyring.KeyringError.self) { _ = try EventStore(directory: dir.path) }
        #expect(error.map { "\($0)" }?.contains("mode 644") == true)
    }

    @Test("after key rotation old and new blocks are readable, also after a restart")
    func keyRotation() async throws {
        let dir = TemporaryStateDirectory()
        defer { dir.cleanUp() }
        let store = try EventStore(directory: dir.path)
        _ = try await store.append(try ndjsonBatch(sampleEvents(2, prefix: "old")))
        let oldKey = store.activeKeyID
        let newKey = try store.rotateKey()
        #expect(newKey != oldKey)
        _ = try await store.append(try ndjsonBatch(sampleEvents(2, prefix: "new")))
        await store.close()
        let reopened = try EventStore(directory: dir.path)
        #expect(reopened.activeKeyID == newKey)
        #expect(try reopened.read(from: 0).compactMap(eventID) == ["old-0", "old-1", "new-0", "new-1"])
        await reopened.close()
    }

    @Test("search filters by time range and term, newest first; counts per interval come from the index")
    func searchAndCounts() async throws {
        let dir = TemporaryStateDirectory()
        defer { dir.cleanUp() }
        let store = try EventStore(directory: dir.path)
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        var lines: [String] = []
        for i in 0..<60 {
            let kind = i % 10 == 0 ? "ERROR disk full" : "ok"
            lines.append("{\"id\":\"s-\(i)\",\"source\":\"\(i < 30 ? "web" : "db")\",\"timestamp\":\(1_800_000_000 + i),\"msg\":\"\(kind)\"}")
        }
        _ = try await store.append(try ndjsonBatch(Array(lines[0..<30])))
        _ = try await store.append(try ndjsonBatch(Array(lines[30...])))
        let errors = try store.search(term: "error", limit: 100)
        #expect(errors.compactMap(eventID) == ["s-50", "s-40", "s-30", "s-20", "s-10", "s-0"])
        let window = try store.search(from: base.addingTimeInterval(10), to: base.addingTimeInterval(20), limit: 100)
        #expect(window.count == 10 && window.first.flatMap(eventID) == "s-19")
        #expect(try store.search(limit: 5).count == 5)
        let counts = store.counts(from: base, to: base.addingTimeInterval(60), interval: 15)
        #expect(counts.map(\.count) == [15, 15, 15, 15])
        #expect(counts[1].start == base.addingTimeInterval(15))
        #expect(store.counts(from: base, to: base.addingTimeInterval(60), interval: 30, source: "db").map(\.count) == [0, 30])
        await store.close()
    }

    @Test("retention deletes closed segments older than the retention, never the active one")
    func retention() async throws {
        let dir = TemporaryStateDirectory()
        defer { dir.cleanUp() }
        let clock = StoreTestClock()
        var options = EventStore.Options()
        options.segmentMaxBytes = 4096
        options.retention = 3600
        options.housekeepingInterval = 3600
        options.now = { clock.now }
        let store = try EventStore(directory: dir.path, options: options)
        for b in 0..<3 { _ = try await store.append(try ndjsonBatch(sampleEvents(40, prefix: "old\(b)"))) }
        clock.advance(1800)
        _ = try await store.append(try ndjsonBatch(sampleEvents(40, prefix: "mid")))
        let before = store.segmentCount
        #expect(before >= 4)
        #expect(store.enforceRetention() == 0)
        clock.advance(1801 + 1)
        #expect(store.enforceRetention() == 3)
        #expect(store.startOffset == 120 && store.eventCount == 40)
        #expect(try store.read(from: 0, limit: 1000).compactMap(eventID).first == "mid-0")
        clock.advance(10 * 3600)
        _ = store.enforceRetention()
        #expect(store.segmentCount >= 1)
        let next = try await store.append(try ndjsonBatch(sampleEvents(1, prefix: "late")))
        #expect(next.offset == 160)
        await store.close()
        let reopened = try EventStore(directory: dir.path, options: options)
        #expect(reopened.endOffset == 161)
        await reopened.close()
    }
}

func sampleIDs(_ prefix: String, _ count: Int) -> [String] { (0..<count).map { "\(prefix)-\($0)" } }

final class StoreTestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_800_000_000)
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: Double) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}
