/// The `dns` section of the stack config.
public struct DNSConfig: Codable, Sendable, Equatable {
    /// Address to bind; the stack only ever listens on loopback.
    public var host: String
    /// UDP and TCP port (the same number for both); 0 picks a free one.
    public var port: Int
    /// TTL of every answer, and the SOA's negative-caching TTL.
    public var ttl: UInt32
    /// The zone this server is authoritative for; names outside it are REFUSED.
    public var zone: String
    /// Extra names beyond the stack's own, name → addresses.
    public var records: [String: [String]]

    public static let defaultPort = 10053

    public init(
        host: String = "127.0.0.1", port: Int = DNSConfig.defaultPort, ttl: UInt32 = 60,
        zone: String = "gauntlet.test", records: [String: [String]] = [:]
    ) {
        self.host = host
        self.port = port
        self.ttl = ttl
        self.zone = zone
        self.records = records
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = DNSConfig()
        host = try container.decodeIfPresent(String.self, forKey: .host) ?? defaults.host
        port = try container.decodeIfPresent(Int.self, forKey: .port) ?? defaults.port
        ttl = try container.decodeIfPresent(UInt32.self, forKey: .ttl) ?? defaults.ttl
        zone = try container.decodeIfPresent(String.self, forKey: .zone) ?? defaults.zone
        records = try container.decodeIfPresent([String: [String]].self, forKey: .records) ?? defaults.records
        guard (0...65535).contains(port) else {
            throw DecodingError.dataCorruptedError(
                forKey: .port, in: container, debugDescription: "dns.port \(port) is outside 0...65535"
            )
        }
    }

    /// The authority this config describes, with the stack's own names (`stackRecords`) merged in.
    public func makeAuthority(stackRecords: [String: [String]]) throws(DNSConfigError) -> DNSAuthority {
        try DNSAuthority(zone: zone, ttl: ttl, records: stackRecords.merging(records) { _, extra in extra })
    }
}

extension DNSConfig {
    /// The stack's names all pointing at 127.0.0.1. IPv4 only: every listener binds 127.0.0.1, so an
    /// AAAA answer of ::1 would send clients to a port nothing listens on; AAAA gets NODATA instead.
    public static func loopbackRecords(for names: [String]) -> [String: [String]] {
        Dictionary(names.map { ($0, ["127.0.0.1"]) }, uniquingKeysWith: { first, _ in first })
    }
}
