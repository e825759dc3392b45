import StackSupport

/// The `dns` section of the stack config. Every key is optional; unknown keys are errors.
///
/// ```yaml
/// dns:
///   ttl: 60                 # seconds, for answers and the SOA's negative-caching TTL
///   zone: gauntlet.test     # default: the stack's domain; names outside it are REFUSED
///   records:                # extra names beyond the stack's own
///     grafana.gauntlet.test: [127.0.0.1]
/// ```
/// The port lives in the stack config's `ports.dns` (0 = ephemeral).
public struct DNSConfig: StackConfigSection {
    /// UDP and TCP port (the same number for both); 0 picks a free one.
    public var port: Int
    /// TTL of every answer, and the SOA's negative-caching TTL.
    public var ttl: UInt32
    /// The zone this server is authoritative for; nil means the stack's domain.
    public var zone: String?
    /// Extra names beyond the stack's own, name → addresses.
    public var records: [String: [String]]

    public init() {
        self.init(port: 0)
    }

    public init(port: Int = 0, ttl: UInt32 = 60, zone: String? = nil, records: [String: [String]] = [:]) {
        self.port = port
        self.ttl = ttl
        self.zone = zone
        self.records = records
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case port, ttl, zone, records }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = DNSConfig()
        port = try container.value(.port, default: defaults.port)
        ttl = try container.value(.ttl, default: defaults.ttl)
        zone = try container.decodeIfPresent(String.self, forKey: .zone)
        records = try container.value(.records, default: defaults.records)
        guard (0...65535).contains(port) else {
            throw DecodingError.dataCorruptedError(forKey: .port, in: container, debugDescription: "port \(port) is not in 0...65535")
        }
        guard ttl <= 604_800 else {
            throw DecodingError.dataCorruptedError(forKey: .ttl, in: container, debugDescription: "ttl \(ttl) is over a week (604800 s)")
        }
        if let zone {
            do { _ = try DNSName(zone) } catch {
                throw DecodingError.dataCorruptedError(forKey: .zone, in: container, debugDescription: "\(error)")
            }
        }
    }

    /// The authority this config describes for a stack named `names`: its hostnames (load balancer,
    /// identity provider, upload) → 127.0.0.1, plus `records`.
    public func makeAuthority(names: StackNames) throws(DNSConfigError) -> DNSAuthority {
        try makeAuthority(zone: zone ?? names.domain, stackRecords: Self.loopbackRecords(for: names.all))
    }

    public func makeAuthority(zone: String, stackRecords: [String: [String]]) throws(DNSConfigError) -> DNSAuthority {
        try DNSAuthority(zone: zone, ttl: ttl, records: stackRecords.merging(records) { _, extra in extra })
    }

    /// The stack's names all pointing at 127.0.0.1. IPv4 only: every listener binds 127.0.0.1, so an
    /// AAAA answer of ::1 would send clients to a port nothing listens on; AAAA gets NODATA instead.
    public static func loopbackRecords(for names: [String]) -> [String: [String]] {
        Dictionary(names.map { ($0, ["127.0.0.1"]) }, uniquingKeysWith: { first, _ in first })
    }
}
