#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The addresses one name resolves to.
public struct DNSHostAddresses: Equatable, Sendable {
    public var ipv4: [[UInt8]]
    public var ipv6: [[UInt8]]

    /// Parses textual addresses ("127.0.0.1", "::1"); anything else is an error naming the value.
    public init(parsing addresses: [String], for name: String) throws(DNSConfigError) {
        var ipv4: [[UInt8]] = []
        var ipv6: [[UInt8]] = []
        for text in addresses {
            if let bytes = Self.parse(text, family: AF_INET, length: 4) {
                ipv4.append(bytes)
            } else if let bytes = Self.parse(text, family: AF_INET6, length: 16) {
                ipv6.append(bytes)
            } else {
                throw .invalidAddress(name: name, value: text)
            }
        }
        self.ipv4 = ipv4
        self.ipv6 = ipv6
    }

    private static func parse(_ text: String, family: Int32, length: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 16)
        let result = buffer.withUnsafeMutableBytes { inet_pton(family, text, $0.baseAddress) }
        return result == 1 ? Array(buffer.prefix(length)) : nil
    }
}

public enum DNSConfigError: Error, Equatable, CustomStringConvertible {
    case invalidName(String, DNSNameError)
    case outsideZone(name: String, zone: String)
    case invalidAddress(name: String, value: String)
    case noAddresses(name: String)

    public var description: String {
        switch self {
        case .invalidName(let name, let error): "dns: invalid name '\(name)': \(error)"
        case .outsideZone(let name, let zone): "dns: name '\(name)' is not inside the zone '\(zone)'"
        case .invalidAddress(let name, let value):
            "dns: '\(value)' for '\(name)' is not an IPv4 or IPv6 address (expected e.g. 127.0.0.1 or ::1)"
        case .noAddresses(let name): "dns: '\(name)' has no addresses"
        }
    }
}

/// The authoritative answer logic for one zone, as a pure function of the query bytes.
///
/// Kept apart from the sockets (the NIOCore/NIOPosix split) so every RCODE path is table-tested.
public struct DNSAuthority: Sendable {
    public enum Transport: Sendable { case udp, tcp }

    public let zone: DNSName
    public let ttl: UInt32
    public let hosts: [DNSName: DNSHostAddresses]
    /// Names that own no records but have descendants that do: NODATA, not NXDOMAIN (RFC 8020).
    private let emptyNonTerminals: Set<DNSName>
    private let soa: DNSResourceRecord

    /// - Parameters:
    ///   - records: name → addresses ("127.0.0.1", "::1"); every name must lie inside `zone`.
    public init(zone: String, ttl: UInt32, records: [String: [String]], serial: UInt32 = 1) throws(DNSConfigError) {
        let zoneName: DNSName
        do { zoneName = try DNSName(zone) } catch { throw .invalidName(zone, error) }
        var hosts: [DNSName: DNSHostAddresses] = [:]
        var emptyNonTerminals: Set<DNSName> = []
        for (text, addresses) in records {
            let name: DNSName
            do { name = try DNSName(text) } catch { throw .invalidName(text, error) }
            guard name.isSubdomain(of: zoneName) else { throw .outsideZone(name: text, zone: zone) }
            guard !addresses.isEmpty else { throw .noAddresses(name: text) }
            hosts[name] = try DNSHostAddresses(parsing: addresses, for: text)
            var ancestor = name.labels.dropFirst()
            while ancestor.count > zoneName.labels.count {
                emptyNonTerminals.insert(DNSName(validatedLabels: Array(ancestor)))
                ancestor = ancestor.dropFirst()
            }
        }
        self.zone = zoneName
        self.ttl = ttl
        self.hosts = hosts
        self.emptyNonTerminals = emptyNonTerminals.subtracting(hosts.keys)
        self.soa = DNSResourceRecord(
            name: zoneName, ttl: ttl,
            data: .soa(DNSSOAData(
                primaryServer: DNSName(validatedLabels: ["ns"] + zoneName.labels),
                responsibleMailbox: DNSName(validatedLabels: ["hostmaster"] + zoneName.labels),
                serial: serial, refresh: 3600, retry: 600, expire: 86400, minimum: ttl
            ))
        )
    }

    /// Answers one packet; `nil` means drop it (no readable header, or it is itself a response).
    public func respond(to packet: [UInt8], over transport: Transport) -> [UInt8]? {
        guard let header = try? DNSMessageParser.parseHeader(packet), !header.isResponse else { return nil }
        let response: DNSResponse
        var udpLimit = DNSResponse.classicUDPLimit
        if header.opcode != .query {
            response = DNSResponse(
                id: header.id, opcode: header.opcode, rcode: .notImplemented, recursionDesired: header.recursionDesired
            )
        } else {
            do {
                let query = try DNSMessageParser.parseQuery(packet)
                if let edns = query.edns {
                    udpLimit = max(DNSResponse.classicUDPLimit, min(Int(edns.udpPayloadSize), 4096))
                }
                response = answer(query)
            } catch {
                response = DNSResponse(id: header.id, rcode: .formatError, recursionDesired: header.recursionDesired)
            }
        }
        return response.encode(maxSize: transport == .udp ? udpLimit : Int(UInt16.max))
    }

    /// Answers a decoded query.
    public func answer(_ query: DNSQuery) -> DNSResponse {
        var response = DNSResponse(
            id: query.header.id, rcode: .noError, recursionDesired: query.header.recursionDesired,
            questions: query.questions, edns: query.edns.map { _ in EDNSInfo(udpPayloadSize: DNSResponse.advertisedUDPPayloadSize) }
        )
        guard query.questions.count == 1, let question = query.questions.first else {
            response.rcode = .formatError
            return response
        }
        if let edns = query.edns, edns.version != 0 {
            response.rcode = .badVersion
            response.questions = []
            return response
        }
        guard question.qclass == .internet || question.qclass == .any,
              question.name.isSubdomain(of: zone),
              question.type != DNSRecordType(rawValue: 251), question.type != DNSRecordType(rawValue: 252)  // IXFR, AXFR
        else {
            response.rcode = .refused
            return response
        }
        response.authoritative = true
        let name = question.name
        let wantsA = question.type == .a || question.type == .any
        let wantsAAAA = question.type == .aaaa || question.type == .any
        if let host = hosts[name] {
            if wantsA {
                response.answers += host.ipv4.map { DNSResourceRecord(name: name, ttl: ttl, data: .a(($0[0], $0[1], $0[2], $0[3]))) }
            }
            if wantsAAAA {
                response.answers += host.ipv6.map { DNSResourceRecord(name: name, ttl: ttl, data: .aaaa($0)) }
            }
        }
        if name == zone, question.type == .soa || question.type == .any {
            response.answers.append(soa)
        }
        if response.answers.isEmpty {
            let exists = name == zone || hosts[name] != nil || emptyNonTerminals.contains(name)
            response.rcode = exists ? .noError : .nameError
            response.authority = [soa]
        }
        return response
    }
}
