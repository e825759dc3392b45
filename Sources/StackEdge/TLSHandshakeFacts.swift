/// What a listener negotiated with a client, read from the ServerHello it sent: the protocol version and the
/// cipher suite, in the spellings ALB's access log uses (`TLSv1.3`; OpenSSL's cipher names).
///
/// swift-nio-ssl exposes the negotiated version but not the cipher, and the ServerHello is the one place both
/// are in the clear, so the listener reads them there (``TLSHandshakeSniffer``). Pure: bytes in, facts out.
public struct TLSHandshakeFacts: Sendable, Hashable {
    /// `TLSv1.2`, `TLSv1.3`.
    public var protocolName: String
    /// OpenSSL's name for the suite (e.g. `ECDHE-ECDSA-AES128-GCM-SHA256`, `TLS_AES_128_GCM_SHA256`), or nil
    /// for a suite outside the table.
    public var cipherName: String?
    public var cipherSuite: UInt16

    /// Parses the ServerHello at the start of `bytes` (the first TLS records a server writes).
    /// - Returns: the facts; nil when `bytes` is not (yet) a whole ServerHello.
    public static func parseServerHello<Bytes: RandomAccessCollection>(_ bytes: Bytes) -> TLSHandshakeFacts? where Bytes.Element == UInt8, Bytes.Index == Int {
        var reader = Reader(bytes: bytes, at: bytes.startIndex)
        // Record header: handshake (22), legacy version, length.
        guard reader.u8() == 22, reader.u16() != nil, let recordLength = reader.u16() else { return nil }
        guard bytes.endIndex - reader.index >= Int(recordLength) else { return nil }
        // Handshake header: ServerHello (2), 24-bit length.
        guard reader.u8() == 2, reader.skip(3), let legacyVersion = reader.u16(), reader.skip(32),
              let sessionIDLength = reader.u8(), reader.skip(Int(sessionIDLength)),
              let suite = reader.u16(), reader.skip(1)
        else { return nil }
        var version = legacyVersion
        if let extensionsLength = reader.u16() {
            let end = reader.index + Int(extensionsLength)
            while reader.index + 4 <= end, let type = reader.u16(), let length = reader.u16() {
                if type == 0x002b, length == 2, let selected = reader.u16() { version = selected; continue }
                guard reader.skip(Int(length)) else { break }
            }
        }
        let name: String
        switch version {
        case 0x0304: name = "TLSv1.3"
        case 0x0303: name = "TLSv1.2"
        case 0x0302: name = "TLSv1.1"
        case 0x0301: name = "TLSv1"
        default: return nil
        }
        return TLSHandshakeFacts(protocolName: name, cipherName: openSSLNames[suite], cipherSuite: suite)
    }

    /// IANA code → OpenSSL name, for the suites BoringSSL can negotiate.
    static let openSSLNames: [UInt16: String] = [
        0x1301: "TLS_AES_128_GCM_SHA256", 0x1302: "TLS_AES_256_GCM_SHA384", 0x1303: "TLS_CHACHA20_POLY1305_SHA256",
        0xC02B: "ECDHE-ECDSA-AES128-GCM-SHA256", 0xC02C: "ECDHE-ECDSA-AES256-GCM-SHA384",
        0xC02F: "ECDHE-RSA-AES128-GCM-SHA256", 0xC030: "ECDHE-RSA-AES256-GCM-SHA384",
        0xCCA9: "ECDHE-ECDSA-CHACHA20-POLY1305", 0xCCA8: "ECDHE-RSA-CHACHA20-POLY1305",
        0xC009: "ECDHE-ECDSA-AES128-SHA", 0xC00A: "ECDHE-ECDSA-AES256-SHA",
        0xC013: "ECDHE-RSA-AES128-SHA", 0xC014: "ECDHE-RSA-AES256-SHA",
        0xC023: "ECDHE-ECDSA-AES128-SHA256", 0xC024: "ECDHE-ECDSA-AES256-SHA384",
        0xC027: "ECDHE-RSA-AES128-SHA256", 0xC028: "ECDHE-RSA-AES256-SHA384",
        0x009C: "AES128-GCM-SHA256", 0x009D: "AES256-GCM-SHA384", 0x002F: "AES128-SHA", 0x0035: "AES256-SHA",
    ]

    private struct Reader<Bytes: RandomAccessCollection> where Bytes.Element == UInt8, Bytes.Index == Int {
        let bytes: Bytes
        var index: Int

        init(bytes: Bytes, at index: Int) {
            self.bytes = bytes
            self.index = index
        }

        mutating func u8() -> UInt8? {
            guard index < bytes.endIndex else { return nil }
            defer { index += 1 }
            return bytes[index]
        }

        mutating func u16() -> UInt16? {
            guard let high = u8(), let low = u8() else { return nil }
            return UInt16(high) << 8 | UInt16(low)
        }

        mutating func skip(_ count: Int) -> Bool {
            guard count >= 0, bytes.endIndex - index >= count else { return false }
            index += count
            return true
        }
    }
}
