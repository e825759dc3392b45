import Foundation
import Glibc

extension EventStore {
    /// Reads every segment, decrypting each block to rebuild the in-memory index and the idempotency keys.
    ///
    /// In the last segment, the first block that is cut short or fails authentication marks the start of a
    /// tail that no sync covered (a sync covers everything written before it, and a block is acknowledged only
    /// after its sync), so the file is cut back there and nothing from it is served. Anywhere else such a block
    /// is corruption of acknowledged data and opening fails, naming the segment and byte.
    func recover() throws -> RecoveryReport {
        var report = RecoveryReport()
        let names = try StoreFileSystem.listDirectory(segmentsDirectory)
            .filter { $0.hasSuffix(".seg") }
            .compactMap { name -> (UInt64, String)? in
                guard let id = UInt64(name.dropLast(4)) else { return nil }
                return (id, segmentsDirectory + "/" + name)
            }
            .sorted { $0.0 < $1.0 }
        var first = true
        for (index, (id, path)) in names.enumerated() {
            let isLast = index == names.count - 1
            let bytes = try StoreFileSystem.readFile(path)
            var position = 0
            var tornAt: Int?
            while position < bytes.count {
                let header: EventBlockFrame.Header
                let payload: BlockPayload
                do throws(BlockError) {
                    header = try EventBlockFrame.header(in: bytes, at: position)
                    payload = try EventBlockFrame.open(bytes, at: position, header: header, keyring: keyring)
                } catch .unknownKey(let keyID) {
                    throw StoreError.unknownKey(segment: path, keyID: keyID)
                } catch {
                    guard isLast else { throw StoreError.corrupt(segment: path, position: position, reason: "\(error)") }
                    tornAt = position
                    break
                }
                if first {
                    baseOffset = header.firstOffset
                    first = false
                }
                indexBlock(payload, header: header, segmentID: id, position: position)
                report.blocks += 1
                report.events += header.count
                position += header.frameLength
            }
            if let tornAt {
                let fd = try StoreFileSystem.open(path, flags: O_WRONLY)
                defer { StoreFileSystem.close(fd) }
                try StoreFileSystem.truncate(fd, to: Int64(tornAt), path: path)
                try StoreFileSystem.dataSync(fd, path: path)
                report.droppedTailBytes = bytes.count - tornAt
                position = tornAt
            }
            let modified = Date(timeIntervalSince1970: try StoreFileSystem.modificationTime(path))
            segments.append(SegmentInfo(id: id, path: path, size: Int64(position), createdAt: modified, lastWrite: modified))
            nextOffset = max(nextOffset, id)
            report.segments += 1
        }
        if first { baseOffset = nextOffset }
        return report
    }

    private func indexBlock(_ payload: BlockPayload, header: EventBlockFrame.Header, segmentID: UInt64, position: Int) {
        var minTs = Int64.max
        var maxTs = Int64.min
        for event in payload.events {
            timestamps.append(event.timestampMillis)
            sourceIndexes.append(internSource(event.source))
            minTs = min(minTs, event.timestampMillis)
            maxTs = max(maxTs, event.timestampMillis)
        }
        blocks.append(
            BlockRef(
                segmentID: segmentID, position: Int64(position), length: header.frameLength,
                firstOffset: header.firstOffset, count: header.count, minTimestamp: minTs, maxTimestamp: maxTs))
        let receipt = AppendReceipt(
            batchID: payload.batchID.hexString, offset: header.firstOffset, count: header.count, replayed: false)
        if let key = payload.idempotencyKey {
            committedKeys[key] = KeyEntry(receipt: receipt, digest: payload.digest, segmentID: segmentID)
        }
        nextOffset = header.firstOffset + UInt64(header.count)
    }
}
