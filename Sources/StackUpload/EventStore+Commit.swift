import Foundation
import Glibc

extension EventStore {
    /// The committer thread: waits for pending batches, seals them, writes them with one `write` and one
    /// `fdatasync`, publishes them to the index, then resumes their callers. Idle, it does housekeeping.
    func committerLoop() {
        var lastHousekeeping = Date.distantPast
        while true {
            condition.lock()
            while pending.isEmpty && !stopping {
                let deadline = Date().addingTimeInterval(options.housekeepingInterval)
                if !condition.wait(until: deadline) { break }
            }
            let round = pending
            pending.removeAll(keepingCapacity: true)
            let done = stopping && round.isEmpty
            condition.unlock()

            if !round.isEmpty { commit(round) }
            if done { break }
            if Date().timeIntervalSince(lastHousekeeping) >= options.housekeepingInterval {
                lastHousekeeping = Date()
                try? rollIfNeeded(force: false)
                enforceRetention()
            }
        }
        if activeFD >= 0 {
            StoreFileSystem.close(activeFD)
            activeFD = -1
        }
        finishCommitter()
    }

    private func commit(_ round: [PendingAppend]) {
        guard let active = currentSegment() else {
            fail(round, StoreError.closed)
            return
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(round.reduce(0) { $0 + $1.payload.count + 128 })
        var refs: [BlockRef] = []
        refs.reserveCapacity(round.count)
        condition.lock()
        var offset = nextOffset
        let keyID = keyring.activeKeyID
        let key = keyring.activeKey
        condition.unlock()
        var sealed: [PendingAppend] = []
        var failures: [(PendingAppend, any Error)] = []
        for request in round {
            let start = buffer.count
            // `append` refuses empty batches; a request without events would have no time range to index.
            guard let earliest = request.timestamps.min(), let latest = request.timestamps.max() else {
                failures.append((request, StoreError.emptyBatch))
                continue
            }
            do {
                try EventBlockFrame.seal(
                    payload: request.payload, firstOffset: offset, count: request.timestamps.count,
                    keyID: keyID, key: key, into: &buffer)
            } catch {
                buffer.removeSubrange(start...)
                failures.append((request, error))
                continue
            }
            refs.append(
                BlockRef(
                    segmentID: active.id, position: active.size + Int64(start), length: buffer.count - start,
                    firstOffset: offset, count: request.timestamps.count,
                    minTimestamp: earliest, maxTimestamp: latest))
            offset += UInt64(request.timestamps.count)
            sealed.append(request)
        }
        for (request, error) in failures { fail([request], error) }
        guard !sealed.isEmpty else { return }

        do {
            try buffer.withUnsafeBytes { try StoreFileSystem.writeAll(activeFD, $0, path: active.path) }
            try StoreFileSystem.dataSync(activeFD, path: active.path)
        } catch {
            // Nothing of this round is acknowledged; cut the file back so no half-written block stays behind.
            try? StoreFileSystem.truncate(activeFD, to: active.size, path: active.path)
            fail(sealed, error)
            return
        }

        let now = options.now()
        var receipts: [AppendReceipt] = []
        receipts.reserveCapacity(sealed.count)
        var waiters: [(CheckedContinuation<AppendReceipt, any Error>, Result<AppendReceipt, any Error>)] = []
        condition.lock()
        segments[segments.count - 1].size += Int64(buffer.count)
        segments[segments.count - 1].lastWrite = now
        for (request, ref) in zip(sealed, refs) {
            blocks.append(ref)
            timestamps.append(contentsOf: request.timestamps)
            for source in request.sources { sourceIndexes.append(internSource(source)) }
            let receipt = AppendReceipt(batchID: request.batchID, offset: ref.firstOffset, count: ref.count, replayed: false)
            receipts.append(receipt)
            if let key = request.idempotencyKey {
                committedKeys[key] = KeyEntry(receipt: receipt, digest: request.digest, segmentID: ref.segmentID)
                for waiter in waitingOnKey.removeValue(forKey: key) ?? [] {
                    let replay = AppendReceipt(batchID: receipt.batchID, offset: receipt.offset, count: receipt.count, replayed: true)
                    waiters.append((waiter.continuation, waiter.digest == request.digest ? .success(replay) : .failure(StoreError.idempotencyConflict(key: key))))
                }
            }
        }
        nextOffset = offset
        stats.syncs += 1
        stats.batches += sealed.count
        stats.events += refs.reduce(0) { $0 + $1.count }
        stats.bytes += buffer.count
        condition.unlock()

        for (request, receipt) in zip(sealed, receipts) { request.continuation.resume(returning: receipt) }
        for (continuation, result) in waiters { continuation.resume(with: result) }
        try? rollIfNeeded(force: false)
    }

    private func fail(_ requests: [PendingAppend], _ error: any Error) {
        var waiters: [CheckedContinuation<AppendReceipt, any Error>] = []
        condition.lock()
        for request in requests {
            if let key = request.idempotencyKey {
                waiters += (waitingOnKey.removeValue(forKey: key) ?? []).map(\.continuation)
            }
        }
        condition.unlock()
        for request in requests { request.continuation.resume(throwing: error) }
        for waiter in waiters { waiter.resume(throwing: error) }
    }

    private func currentSegment() -> SegmentInfo? {
        condition.lock()
        defer { condition.unlock() }
        return activeFD >= 0 ? segments.last : nil
    }

    /// Adds a fresh data key and seals new blocks with it; blocks sealed before stay readable with theirs.
    @discardableResult
    public func rotateKey() throws -> String {
        condition.lock()
        defer { condition.unlock() }
        return try keyring.rotate()
    }

    public var activeKeyID: String {
        condition.lock()
        defer { condition.unlock() }
        return keyring.activeKeyID
    }

    /// Must be called with `condition` held.
    func internSource(_ source: String) -> UInt32 {
        if let id = sourceIDs[source] { return id }
        let id = UInt32(sourceNames.count)
        sourceNames.append(source)
        sourceIDs[source] = id
        return id
    }

    /// Opens the last segment for appending, or creates the first one.
    func openActiveSegment() throws {
        condition.lock()
        let last = segments.last
        let start = nextOffset
        condition.unlock()
        if let last {
            activeFD = try StoreFileSystem.open(last.path, flags: O_WRONLY | O_APPEND)
        } else {
            try createSegment(startingAt: start)
        }
    }

    private func createSegment(startingAt offset: UInt64) throws {
        let path = segmentPath(offset)
        let fd = try StoreFileSystem.open(path, flags: O_WRONLY | O_APPEND | O_CREAT, mode: 0o600)
        try StoreFileSystem.syncDirectory(segmentsDirectory)
        let now = options.now()
        condition.lock()
        segments.append(SegmentInfo(id: offset, path: path, size: 0, createdAt: now, lastWrite: now))
        condition.unlock()
        if activeFD >= 0 { StoreFileSystem.close(activeFD) }
        activeFD = fd
    }

    /// Starts a new segment when the active one is full or old enough (its blocks are already synced).
    func rollIfNeeded(force: Bool) throws {
        condition.lock()
        guard let active = segments.last else {
            condition.unlock()
            return
        }
        let start = nextOffset
        condition.unlock()
        guard active.size > 0 else { return }
        let age = options.now().timeIntervalSince(active.createdAt)
        if force || active.size >= Int64(options.segmentMaxBytes) || age >= options.segmentMaxAge {
            try createSegment(startingAt: start)
        }
    }

    /// Deletes closed segments whose last write is older than the retention, oldest first, with their index
    /// entries and idempotency keys. The active segment is never deleted.
    @discardableResult
    public func enforceRetention() -> Int {
        let cutoff = options.now().addingTimeInterval(-options.retention)
        var doomed: [SegmentInfo] = []
        condition.lock()
        while segments.count > 1, segments[0].lastWrite < cutoff {
            doomed.append(segments.removeFirst())
        }
        if !doomed.isEmpty {
            let ids = Set(doomed.map(\.id))
            let keepFrom = blocks.firstIndex { !ids.contains($0.segmentID) } ?? blocks.count
            let newBase = keepFrom < blocks.count ? blocks[keepFrom].firstOffset : nextOffset
            blocks.removeFirst(keepFrom)
            let drop = Int(newBase - baseOffset)
            timestamps.removeFirst(drop)
            sourceIndexes.removeFirst(drop)
            baseOffset = newBase
            committedKeys = committedKeys.filter { !ids.contains($0.value.segmentID) }
        }
        condition.unlock()
        for segment in doomed { try? StoreFileSystem.unlink(segment.path) }
        if !doomed.isEmpty { try? StoreFileSystem.syncDirectory(segmentsDirectory) }
        return doomed.count
    }
}
