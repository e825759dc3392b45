import Foundation
import Glibc

/// The number of events whose timestamp falls in `[start, start + interval)`.
public struct IntervalCount: Sendable, Equatable {
    public let start: Date
    public let count: Int
}

extension EventStore {
    /// Events with `from <= timestamp < to`, whose JSON contains `term` (ASCII case-insensitive) when given,
    /// newest first (by offset), at most `limit`. Reads and decrypts only blocks whose time span overlaps.
    public func search(from: Date? = nil, to: Date? = nil, term: String? = nil, limit: Int = 100) throws -> [StoredEvent] {
        let lower = from.map(Self.millis) ?? .min
        let upper = to.map(Self.millis) ?? .max
        let needle = term.flatMap { $0.isEmpty ? nil : Array($0.lowercased().utf8) }
        condition.lock()
        let candidates = blocks.reversed().filter { $0.maxTimestamp >= lower && $0.minTimestamp < upper }
        let paths = Dictionary(uniqueKeysWithValues: segments.map { ($0.id, $0.path) })
        let keyring = self.keyring
        condition.unlock()

        var results: [StoredEvent] = []
        var reader = BlockFileReader(keyring: keyring)
        defer { reader.close() }
        for block in candidates where results.count < limit {
            guard let path = paths[block.segmentID], let payload = try reader.read(block, path: path) else { continue }
            for (i, event) in payload.events.enumerated().reversed() where results.count < limit {
                guard event.timestampMillis >= lower && event.timestampMillis < upper else { continue }
                if let needle, !Self.contains(event.json, needle) && !Self.contains(Array(event.source.utf8), needle) { continue }
                results.append(
                    StoredEvent(
                        offset: block.firstOffset + UInt64(i), timestampMillis: event.timestampMillis,
                        source: event.source, json: Array(event.json)))
            }
        }
        return results
    }

    /// Events from `offset` on, in offset order, at most `limit` (for tailing and for checking the log).
    public func read(from offset: UInt64, limit: Int = 1000) throws -> [StoredEvent] {
        condition.lock()
        let start = blocks.firstIndex { $0.firstOffset + UInt64($0.count) > offset } ?? blocks.count
        var picked: [BlockRef] = []
        var total = 0
        for block in blocks[start...] where total < limit {
            picked.append(block)
            total += block.count
        }
        let paths = Dictionary(uniqueKeysWithValues: segments.map { ($0.id, $0.path) })
        let keyring = self.keyring
        condition.unlock()

        var results: [StoredEvent] = []
        var reader = BlockFileReader(keyring: keyring)
        defer { reader.close() }
        for block in picked {
            guard let path = paths[block.segmentID], let payload = try reader.read(block, path: path) else { continue }
            for (i, event) in payload.events.enumerated() where results.count < limit {
                let eventOffset = block.firstOffset + UInt64(i)
                guard eventOffset >= offset else { continue }
                results.append(
                    StoredEvent(offset: eventOffset, timestampMillis: event.timestampMillis, source: event.source, json: Array(event.json)))
            }
        }
        return results
    }

    /// Counts per `interval` seconds over `[from, to)`, optionally only events from `source`; answered from the
    /// in-memory index without decrypting anything.
    public func counts(from: Date, to: Date, interval: Double, source: String? = nil) -> [IntervalCount] {
        let lower = Self.millis(from)
        let upper = Self.millis(to)
        let step = max(1, Int64(interval * 1000))
        guard upper > lower else { return [] }
        let bucketCount = Int((upper - lower + step - 1) / step)
        var buckets = [Int](repeating: 0, count: bucketCount)
        condition.lock()
        let wanted: UInt32? = source.map { sourceIDs[$0] ?? .max }
        for i in timestamps.indices {
            let ts = timestamps[i]
            guard ts >= lower && ts < upper else { continue }
            if let wanted, sourceIndexes[i] != wanted { continue }
            buckets[Int((ts - lower) / step)] += 1
        }
        condition.unlock()
        return buckets.enumerated().map { i, count in
            IntervalCount(start: Date(timeIntervalSince1970: Double(lower + Int64(i) * step) / 1000), count: count)
        }
    }

    /// How many events are held (after retention).
    public var eventCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return timestamps.count
    }

    static func millis(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    static func contains(_ haystack: some Collection<UInt8>, _ needle: [UInt8]) -> Bool {
        let hay = Array(haystack)
        guard needle.count <= hay.count else { return false }
        let first = needle[0]
        var i = 0
        let last = hay.count - needle.count
        while i <= last {
            if lower(hay[i]) == first {
                var j = 1
                while j < needle.count && lower(hay[i + j]) == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte + 32 : byte
    }
}

/// Reads and decrypts blocks by position, keeping the current segment open; a segment that retention deleted
/// meanwhile is skipped.
struct BlockFileReader {
    let keyring: StoreKeyring
    private var fd: Int32 = -1
    private var openPath = ""

    init(keyring: StoreKeyring) {
        self.keyring = keyring
    }

    mutating func read(_ block: EventStore.BlockRef, path: String) throws -> BlockPayload? {
        if path != openPath {
            close()
            do throws(StoreIOError) {
                fd = try StoreFileSystem.open(path, flags: O_RDONLY)
            } catch {
                if error.errno == ENOENT { return nil }
                throw error
            }
            openPath = path
        }
        let bytes = try StoreFileSystem.pread(fd, count: block.length, at: block.position, path: path)
        let header = try EventBlockFrame.header(in: bytes, at: 0)
        return try EventBlockFrame.open(bytes, at: 0, header: header, keyring: keyring)
    }

    mutating func close() {
        if fd >= 0 { StoreFileSystem.close(fd) }
        fd = -1
        openPath = ""
    }
}
