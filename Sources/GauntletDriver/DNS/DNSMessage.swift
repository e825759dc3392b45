/// The few bytes of RFC 1035 the driver needs: an A query, and the A records (with TTLs) of an answer.
/// Pure, so it is tested with canned packets.
public enum DNSMessage {
    public struct Answer: Sendable, Equatable {
        public var addresses: [String]
        /// Seconds, the smallest TTL among the A records.
        public var ttl: UInt32
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case truncated
        case idMismatch
        case rcode(Int)
        case noAddress
        case badName(String)

        public var description: String {
            switch self {
            case .truncated: "the DNS answer is truncated or malformed"
            case .idMismatch: "the DNS answer is for another query"
            case .rcode(let code): "the DNS server answered \(code == 3 ? "NXDOMAIN" : code == 5 ? "REFUSED" : code == 2 ? "SERVFAIL" : "rcode \(code)")"
            case .noAddress: "the DNS answer has no A record"
            case .badName(let name): "\"\(name)\" is not a valid DNS name"
            }
        }
    }

    /// A recursion-desired query for the A record of `name`.
    public static func query(id: UInt16, name: String) throws(Failure) -> [UInt8] {
        var packet: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".", omittingEmptySubsequences: false) where !(label.isEmpty && name.hasSuffix(".")) {
            let bytes = Array(label.utf8)
            guard !bytes.isEmpty, bytes.count < 64 else { throw .badName(name) }
            packet.append(UInt8(bytes.count))
            packet += bytes
        }
        packet += [0, 0, 1, 0, 1]
        guard packet.count <= 512 else { throw .badName(name) }
        return packet
    }

    /// The A records of an answer to query `id`.
    public static func parseAnswer(_ packet: [UInt8], id: UInt16) throws(Failure) -> Answer {
        guard packet.count >= 12 else { throw .truncated }
        guard UInt16(packet[0]) << 8 | UInt16(packet[1]) == id else { throw .idMismatch }
        let rcode = Int(packet[3] & 0x0F)
        guard rcode == 0 else { throw .rcode(rcode) }
        let questions = Int(packet[4]) << 8 | Int(packet[5])
        let answers = Int(packet[6]) << 8 | Int(packet[7])
        var offset = 12
        for _ in 0..<questions {
            offset = try skipName(packet, offset) + 4
        }
        var addresses: [String] = []
        var ttl = UInt32.max
        for _ in 0..<answers {
            offset = try skipName(packet, offset)
            guard offset + 10 <= packet.count else { throw .truncated }
            let type = Int(packet[offset]) << 8 | Int(packet[offset + 1])
            let recordTTL = packet[offset + 4..<offset + 8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let length = Int(packet[offset + 8]) << 8 | Int(packet[offset + 9])
            offset += 10
            guard offset + length <= packet.count else { throw .truncated }
            if type == 1, length == 4 {
                addresses.append(packet[offset..<offset + 4].map(String.init).joined(separator: "."))
                ttl = min(ttl, recordTTL)
            }
            offset += length
        }
        guard !addresses.isEmpty else { throw .noAddress }
        return Answer(addresses: addresses, ttl: ttl)
    }

    private static func skipName(_ packet: [UInt8], _ start: Int) throws(Failure) -> Int {
        var offset = start
        while true {
            guard offset < packet.count else { throw .truncated }
            let length = Int(packet[offset])
            if length == 0 { return offset + 1 }
            if length & 0xC0 == 0xC0 { return offset + 2 }
            offset += length + 1
        }
    }
}
