import Crypto
import Foundation
import Glibc

/// The durable, encrypted, append-only event log behind the upload gateway.
///
/// Batches are sealed into AES-256-GCM blocks and appended to segment files by one committer thread that
/// group-commits: whatever batches arrived while the previous `fdatasync` ran are written together and
/// covered by the next one, and each caller resumes only after the sync that covers its batch. The plaintext
/// lives only in memory; searches read blocks back and decrypt them. Only timestamps, sources and block
/// positions are indexed, and only in memory.
public final class EventStore: @unchecked Sendable {
    public struct Options: Sendable {
        /// A segment is closed and a new one started once it reaches this size...
        public var segmentMaxBytes: Int = 64 << 20
        /// ...or this age (seconds), so that retention can delete whole segments.
        public var segmentMaxAge: Double = 3600
        /// Closed segments whose last write is older than this (seconds) are deleted.
        public var retention: Double = 7 * 86_400
        /// How often the committer checks retention when idle (seconds).
        public var housekeepingInterval: Double = 5
        /// The clock, injectable for tests of retention.
        public var now: @Sendable () -> Date = { Date() }

        public init() {}
    }

    public struct RecoveryReport: Sendable, Equatable {
        public var segments = 0
        public var blocks = 0
        public var events = 0
        /// Torn or unsynced tail blocks dropped (bytes cut off the last segment).
        public var droppedTailBytes = 0
    }

    public enum StoreError: Error, CustomStringConvertible, Equatable {
        case corrupt(segment: String, position: Int, reason: String)
        case unknownKey(segment: String, keyID: String)
        case closed
        case idempotencyConflict(key: String)
        case batchTooLarge(bytes: Int)
        case emptyBatch

        public var description: String {
            switch self {
            case .corrupt(let segment, let position, let reason):
                return "segment \(segment) is corrupt at byte \(position) (not at its tail): \(reason)"
            case .unknownKey(let segment, let keyID):
                return "segment \(segment) was sealed with key \(keyID), which the key file does not hold"
            case .closed: return "the event store is closed"
            case .idempotencyConflict(let key):
                return "Idempotency-Key \(key) was already used for a different batch"
            case .batchTooLarge(let bytes): return "a batch of \(bytes) bytes exceeds the block limit"
            case .emptyBatch: return "a batch must hold at least one event"
            }
        }
    }

    struct SegmentInfo {
        var id: UInt64  // the offset of its first event; also its file name
        var path: String
        var size: Int64
        var createdAt: Date
        var lastWrite: Date
    }

    struct BlockRef {
        var segmentID: UInt64
        var position: Int64
        var length: Int
        var firstOffset: UInt64
        var count: Int
        var minTimestamp: Int64
        var maxTimestamp: Int64
    }

    struct KeyEntry {
        var receipt: AppendReceipt
        var digest: [UInt8]
        var segmentID: UInt64
    }

    struct PendingAppend {
        var payload: [UInt8]
        var timestamps: [Int64]
        var sources: [String]
        var idempotencyKey: String?
        var digest: [UInt8]
        var batchID: String
        var continuation: CheckedContinuation<AppendReceipt, any Error>
    }

    public let directory: String
    let segmentsDirectory: String
    let options: Options
    public private(set) var recovery = RecoveryReport()

    // Guarded by `condition`.
    let condition = NSCondition()
    var pending: [PendingAppend] = []
    var waitingOnKey: [String: [(digest: [UInt8], continuation: CheckedContinuation<AppendReceipt, any Error>)]] = [:]
    var committedKeys: [String: KeyEntry] = [:]
    var segments: [SegmentInfo] = []
    var blocks: [BlockRef] = []
    var timestamps: [Int64] = []
    var sourceIndexes: [UInt32] = []
    var baseOffset: UInt64 = 0
    var sourceNames: [String] = []
    var sourceIDs: [String: UInt32] = [:]
    var nextOffset: UInt64 = 0
    var stopping = false
    var stats = CommitStats()

    // Guarded by `condition` too (rotation replaces it while readers copy it).
    var keyring: StoreKeyring
    // Owned by the committer thread after `init`.
    var activeFD: Int32 = -1
    private let finished = DispatchSemaphore(value: 0)

    /// Counters of the group commit, to show that concurrent appends share syncs.
    public struct CommitStats: Sendable, Equatable {
        public var syncs = 0
        public var batches = 0
        public var events = 0
        public var bytes = 0
    }

    /// Opens (or creates) the store in `directory`: loads or creates the key file, recovers every segment
    /// (dropping a torn tail), and starts the committer thread.
    public init(directory: String, options: Options = Options()) throws {
        self.directory = directory
        self.segmentsDirectory = directory + "/segments"
        self.options = options
        try StoreFileSystem.makeDirectory(directory)
        try StoreFileSystem.makeDirectory(segmentsDirectory)
        self.keyring = try StoreKeyring.openOrCreate(path: directory + "/kms-key.json")
        self.recovery = try recover()
        try openActiveSegment()
        let thread = Thread { [self] in self.committerLoop() }
        thread.name = "event-store-committer"
        thread.start()
    }

    deinit {
        if activeFD >= 0 { StoreFileSystem.close(activeFD) }
    }

    /// Stores `batch` durably and returns only after the fsync that covers it. With an `idempotencyKey` that
    /// was already stored, returns the first receipt (`replayed: true`) and stores nothing.
    public func append(_ batch: EventBatch, idempotencyKey: String? = nil) async throws -> AppendReceipt {
        guard !batch.events.isEmpty else { throw StoreError.emptyBatch }
        // The digest only serves to spot a reused Idempotency-Key; hashing every body cost ~8% of ingest CPU.
        let digest = idempotencyKey == nil ? [UInt8](repeating: 0, count: 32) : Array(SHA256.hash(data: batch.body))
        var batchIDBytes = [UInt8](repeating: 0, count: 16)
        for i in batchIDBytes.indices { batchIDBytes[i] = UInt8.random(in: 0...255) }
        let payload = BlockPayload(
            idempotencyKey: idempotencyKey, batchID: batchIDBytes, digest: digest,
            events: batch.events.map {
                BlockPayload.EventRecord(timestampMillis: $0.timestampMillis, source: $0.source, json: batch.body[$0.range])
            })
        var bytes: [UInt8] = []
        bytes.reserveCapacity(payload.encodedSize)
        payload.encode(into: &bytes)
        guard bytes.count + 512 < EventBlockFrame.maxFrame else { throw StoreError.batchTooLarge(bytes: bytes.count) }
        let timestamps = batch.events.map(\.timestampMillis)
        let sources = batch.events.map(\.source)
        let batchID = batchIDBytes.hexString

        return try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            defer { condition.unlock() }
            if stopping {
                continuation.resume(throwing: StoreError.closed)
                return
            }
            if let key = idempotencyKey {
                if let entry = committedKeys[key] {
                    if entry.digest == digest {
                        var receipt = entry.receipt
                        receipt = AppendReceipt(batchID: receipt.batchID, offset: receipt.offset, count: receipt.count, replayed: true)
                        continuation.resume(returning: receipt)
                    } else {
                        continuation.resume(throwing: StoreError.idempotencyConflict(key: key))
                    }
                    return
                }
                if waitingOnKey[key] != nil {
                    waitingOnKey[key]?.append((digest, continuation))
                    return
                }
                waitingOnKey[key] = []
            }
            pending.append(
                PendingAppend(
                    payload: bytes, timestamps: timestamps, sources: sources, idempotencyKey: idempotencyKey,
                    digest: digest, batchID: batchID, continuation: continuation))
            condition.signal()
        }
    }

    /// Commits what is pending, stops the committer thread and closes the active segment.
    public func close() async {
        if beginStopping() { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread { [finished] in
                finished.wait()
                continuation.resume()
            }
            thread.start()
        }
    }

    /// Marks the store as stopping and wakes the committer; returns whether it was already stopping.
    private func beginStopping() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let wasStopping = stopping
        stopping = true
        condition.signal()
        return wasStopping
    }

    /// The offset the next stored event will get (= number of events ever stored).
    public var endOffset: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return nextOffset
    }

    /// The offset of the oldest event still held (older ones were removed by retention).
    public var startOffset: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return baseOffset
    }

    public var commitStats: CommitStats {
        condition.lock()
        defer { condition.unlock() }
        return stats
    }

    public var segmentCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return segments.count
    }

    func finishCommitter() { finished.signal() }

    func segmentPath(_ id: UInt64) -> String {
        let digits = String(id)
        return segmentsDirectory + "/" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".seg"
    }
}

extension Array where Element == UInt8 {
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
