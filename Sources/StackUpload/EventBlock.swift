import Crypto
import Foundation

/// One event as the store keeps it: its position, the parsed timestamp and source (so searches filter without
/// re-parsing), and the event's JSON exactly as it was uploaded.
public struct StoredEvent: Sendable, Equatable {
    public let offset: UInt64
    public let timestampMillis: Int64
    public let source: String
    public let json: [UInt8]

    public var timestamp: Date { Date(timeIntervalSince1970: Double(timestampMillis) / 1000) }
    public var jsonString: String { String(decoding: json, as: UTF8.self) }
}

/// What an acknowledged batch was given: its id and the offset of its first event. A retried batch with
/// the same idempotency key gets the same receipt back.
public struct AppendReceipt: Sendable, Equatable {
    public let batchID: String
    public let offset: UInt64
    public let count: Int
    /// True when this receipt answers a retry whose batch was already stored.
    public let replayed: Bool
}

/// The plaintext inside one block: one batch (all its events or none), its idempotency key and batch id.
/// It only ever exists in memory; on disk it is sealed by `EventBlockFrame`.
struct BlockPayload {
    static let version: UInt8 = 1

    var idempotencyKey: String?
    var batchID: [UInt8]  // 16 bytes
    var digest: [UInt8]  // SHA-256 of the decoded request body, to spot a key reused for another body
    var events: [EventRecord]

    struct EventRecord {
        var timestampMillis: Int64
        var source: String
        var json: ArraySlice<UInt8>
    }

    func encode(into out: inout [UInt8]) {
        out.append(Self.version)
        let key = Array((idempotencyKey ?? "").utf8)
        out.appendLE(UInt16(key.count))
        out.append(contentsOf: key)
        out.append(contentsOf: batchID)
        out.append(contentsOf: digest)
        out.appendLE(UInt32(events.count))
        for event in events {
            out.appendLE(UInt64(bitPattern: event.timestampMillis))
            let source = Array(event.source.utf8)
            out.appendLE(UInt16(source.count))
            out.append(contentsOf: source)
            out.appendLE(UInt32(event.json.count))
            out.append(contentsOf: event.json)
        }
    }

    var encodedSize: Int {
        var size = 1 + 2 + (idempotencyKey?.utf8.count ?? 0) + 16 + 32 + 4
        for event in events { size += 8 + 2 + event.source.utf8.count + 4 + event.json.count }
        return size
    }

    static func decode(_ bytes: [UInt8]) throws(BlockError) -> BlockPayload {
        var reader = ByteReader(bytes)
        guard try reader.u8() == version else { throw .malformed("unknown payload version") }
        let keyLength = Int(try reader.u16())
        let key = try reader.bytes(keyLength)
        let batchID = Array(try reader.bytes(16))
        let digest = Array(try reader.bytes(32))
        let count = Int(try reader.u32())
        var events: [EventRecord] = []
        events.reserveCapacity(count)
        for _ in 0..<count {
            let ts = Int64(bitPattern: try reader.u64())
            let source = String(decoding: try reader.bytes(Int(try reader.u16())), as: UTF8.self)
            let json = try reader.bytes(Int(try reader.u32()))
            events.append(EventRecord(timestampMillis: ts, source: source, json: json))
        }
        return BlockPayload(
            idempotencyKey: keyLength == 0 ? nil : String(decoding: key, as: UTF8.self),
            batchID: batchID, digest: digest, events: events)
    }
}

enum BlockError: Error, Equatable {
    case truncated
    case malformed(String)
    case unknownKey(String)
    case authenticationFailed
}

/// A block on disk: a small clear header (used as GCM additional data, so it is authenticated too) and the
/// AES-256-GCM sealed payload with a fresh random nonce.
///
///     "GBK1" | u32 frame length | u64 first offset | u32 event count | u8 key-id length | key id
///     | 12-byte nonce | ciphertext | 16-byte tag
enum EventBlockFrame {
    static let magic: [UInt8] = Array("GBK1".utf8)
    static let fixedHeader = 4 + 4 + 8 + 4 + 1
    static let maxFrame = 256 << 20

    struct Header {
        var frameLength: Int
        var firstOffset: UInt64
        var count: Int
        var keyID: String
        var headerLength: Int
    }

    /// Seals `payload` and appends the whole frame to `out`.
    static func seal(
        payload: [UInt8], firstOffset: UInt64, count: Int, keyID: String, key: SymmetricKey, into out: inout [UInt8]
    ) throws {
        let keyIDBytes = Array(keyID.utf8)
        let headerLength = fixedHeader + keyIDBytes.count
        let frameLength = headerLength + 12 + payload.count + 16
        let start = out.count
        out.append(contentsOf: magic)
        out.appendLE(UInt32(frameLength))
        out.appendLE(firstOffset)
        out.appendLE(UInt32(count))
        out.append(UInt8(keyIDBytes.count))
        out.append(contentsOf: keyIDBytes)
        let box = try AES.GCM.seal(payload, using: key, nonce: AES.GCM.Nonce(), authenticating: out[start...])
        out.append(contentsOf: box.nonce)
        out.append(contentsOf: box.ciphertext)
        out.append(contentsOf: box.tag)
    }

    /// Reads the clear header at `position`; throws `.truncated` when the bytes end before the frame does.
    static func header(in bytes: [UInt8], at position: Int) throws(BlockError) -> Header {
        guard bytes.count - position >= fixedHeader else { throw .truncated }
        guard Array(bytes[position..<position + 4]) == magic else { throw .malformed("bad magic") }
        var reader = ByteReader(bytes, from: position + 4)
        let frameLength = Int(try reader.u32())
        let firstOffset = try reader.u64()
        let count = Int(try reader.u32())
        let keyIDLength = Int(try reader.u8())
        let keyID = String(decoding: try reader.bytes(keyIDLength), as: UTF8.self)
        let headerLength = fixedHeader + keyIDLength
        guard frameLength >= headerLength + 28, frameLength <= maxFrame else {
            throw .malformed("implausible frame length \(frameLength)")
        }
        guard bytes.count - position >= frameLength else { throw .truncated }
        return Header(frameLength: frameLength, firstOffset: firstOffset, count: count, keyID: keyID, headerLength: headerLength)
    }

    /// Authenticates and decrypts the frame at `position`.
    static func open(_ bytes: [UInt8], at position: Int, header: Header, keyring: StoreKeyring) throws(BlockError) -> BlockPayload {
        guard let key = keyring.key(id: header.keyID) else { throw .unknownKey(header.keyID) }
        let aad = bytes[position..<position + header.headerLength]
        let nonceStart = position + header.headerLength
        let end = position + header.frameLength
        let plaintext: [UInt8]
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: bytes[nonceStart..<nonceStart + 12]),
                ciphertext: bytes[nonceStart + 12..<end - 16],
                tag: bytes[end - 16..<end])
            plaintext = Array(try AES.GCM.open(box, using: key, authenticating: aad))
        } catch {
            throw .authenticationFailed
        }
        let payload = try BlockPayload.decode(plaintext)
        guard payload.events.count == header.count else { throw .malformed("event count does not match header") }
        return payload
    }
}

struct ByteReader {
    let bytes: [UInt8]
    var position: Int

    init(_ bytes: [UInt8], from position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    mutating func bytes(_ n: Int) throws(BlockError) -> ArraySlice<UInt8> {
        guard n >= 0, bytes.count - position >= n else { throw .truncated }
        defer { position += n }
        return bytes[position..<position + n]
    }

    mutating func u8() throws(BlockError) -> UInt8 {
        guard let byte = try bytes(1).first else { throw .truncated }
        return byte
    }
    mutating func u16() throws(BlockError) -> UInt16 { UInt16(truncatingIfNeeded: try le(2)) }
    mutating func u32() throws(BlockError) -> UInt32 { UInt32(truncatingIfNeeded: try le(4)) }
    mutating func u64() throws(BlockError) -> UInt64 { try le(8) }

    private mutating func le(_ n: Int) throws(BlockError) -> UInt64 {
        var value: UInt64 = 0
        for (i, byte) in try bytes(n).enumerated() { value |= UInt64(byte) << (8 * UInt64(i)) }
        return value
    }
}

extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        var v = value.littleEndian
        Swift.withUnsafeBytes(of: &v) { self.append(contentsOf: $0) }
    }
}
