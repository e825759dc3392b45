/// The parts of an RFC 1035 message this server reads and writes. Pure values: the codec in
/// `DNSMessageParser` and `DNSMessage+Encoding` turns them into bytes and back, with no sockets.

/// RCODE values (RFC 1035 §4.1.1), plus BADVERS (RFC 6891), whose upper bits travel in the OPT record.
public struct DNSResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let noError = DNSResponseCode(rawValue: 0)
    public static let formatError = DNSResponseCode(rawValue: 1)
    public static let serverFailure = DNSResponseCode(rawValue: 2)
    public static let nameError = DNSResponseCode(rawValue: 3)
    public static let notImplemented = DNSResponseCode(rawValue: 4)
    public static let refused = DNSResponseCode(rawValue: 5)
    public static let badVersion = DNSResponseCode(rawValue: 16)

    public var description: String {
        switch self {
        case .noError: "NOERROR"
        case .formatError: "FORMERR"
        case .serverFailure: "SERVFAIL"
        case .nameError: "NXDOMAIN"
        case .notImplemented: "NOTIMP"
        case .refused: "REFUSED"
        case .badVersion: "BADVERS"
        default: "RCODE\(rawValue)"
        }
    }
}

public struct DNSRecordType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = DNSRecordType(rawValue: 1)
    public static let ns = DNSRecordType(rawValue: 2)
    public static let cname = DNSRecordType(rawValue: 5)
    public static let soa = DNSRecordType(rawValue: 6)
    public static let aaaa = DNSRecordType(rawValue: 28)
    public static let opt = DNSRecordType(rawValue: 41)
    public static let any = DNSRecordType(rawValue: 255)
}

public struct DNSClass: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let internet = DNSClass(rawValue: 1)
    public static let any = DNSClass(rawValue: 255)
}

public struct DNSOpcode: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let query = DNSOpcode(rawValue: 0)
    public static let status = DNSOpcode(rawValue: 2)
    public static let notify = DNSOpcode(rawValue: 4)
    public static let update = DNSOpcode(rawValue: 5)
}

/// The fixed 12-byte header, with the flag word split into fields.
public struct DNSHeader: Equatable, Sendable {
    public var id: UInt16
    public var isResponse: Bool
    public var opcode: DNSOpcode
    public var authoritative: Bool
    public var truncated: Bool
    public var recursionDesired: Bool
    public var recursionAvailable: Bool
    /// The low four bits of the response code.
    public var rcodeLow: UInt8
    public var questionCount: UInt16
    public var answerCount: UInt16
    public var authorityCount: UInt16
    public var additionalCount: UInt16

    public init(
        id: UInt16, isResponse: Bool = false, opcode: DNSOpcode = .query, authoritative: Bool = false,
        truncated: Bool = false, recursionDesired: Bool = false, recursionAvailable: Bool = false,
        rcodeLow: UInt8 = 0, questionCount: UInt16 = 0, answerCount: UInt16 = 0,
        authorityCount: UInt16 = 0, additionalCount: UInt16 = 0
    ) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode
        self.authoritative = authoritative
        self.truncated = truncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.rcodeLow = rcodeLow
        self.questionCount = questionCount
        self.answerCount = answerCount
        self.authorityCount = authorityCount
        self.additionalCount = additionalCount
    }

    var flags: UInt16 {
        var value: UInt16 = 0
        if isResponse { value |= 0x8000 }
        value |= UInt16(opcode.rawValue & 0x0F) << 11
        if authoritative { value |= 0x0400 }
        if truncated { value |= 0x0200 }
        if recursionDesired { value |= 0x0100 }
        if recursionAvailable { value |= 0x0080 }
        value |= UInt16(rcodeLow & 0x0F)
        return value
    }

    init(id: UInt16, flags: UInt16, counts: (UInt16, UInt16, UInt16, UInt16)) {
        self.id = id
        self.isResponse = flags & 0x8000 != 0
        self.opcode = DNSOpcode(rawValue: UInt8((flags >> 11) & 0x0F))
        self.authoritative = flags & 0x0400 != 0
        self.truncated = flags & 0x0200 != 0
        self.recursionDesired = flags & 0x0100 != 0
        self.recursionAvailable = flags & 0x0080 != 0
        self.rcodeLow = UInt8(flags & 0x0F)
        (questionCount, answerCount, authorityCount, additionalCount) = counts
    }
}

public struct DNSQuestion: Hashable, Sendable {
    public var name: DNSName
    public var type: DNSRecordType
    public var qclass: DNSClass

    public init(name: DNSName, type: DNSRecordType, qclass: DNSClass = .internet) {
        self.name = name
        self.type = type
        self.qclass = qclass
    }
}

/// What a client's OPT pseudo-record said (RFC 6891).
public struct EDNSInfo: Equatable, Sendable {
    public var udpPayloadSize: UInt16
    public var version: UInt8
    public var dnssecOK: Bool

    public init(udpPayloadSize: UInt16, version: UInt8 = 0, dnssecOK: Bool = false) {
        self.udpPayloadSize = udpPayloadSize
        self.version = version
        self.dnssecOK = dnssecOK
    }
}

/// A decoded query: the header, its questions and its EDNS options if it had an OPT record.
public struct DNSQuery: Equatable, Sendable {
    public var header: DNSHeader
    public var questions: [DNSQuestion]
    public var edns: EDNSInfo?
}

public struct DNSSOAData: Equatable, Sendable {
    public var primaryServer: DNSName
    public var responsibleMailbox: DNSName
    public var serial: UInt32
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    /// The negative-caching TTL (RFC 2308).
    public var minimum: UInt32
}

public enum DNSRecordData: Equatable, Sendable {
    case a((UInt8, UInt8, UInt8, UInt8))
    case aaaa([UInt8])
    case ns(DNSName)
    case soa(DNSSOAData)

    public static func == (lhs: DNSRecordData, rhs: DNSRecordData) -> Bool {
        switch (lhs, rhs) {
        case (.a(let l), .a(let r)): l == r
        case (.aaaa(let l), .aaaa(let r)): l == r
        case (.ns(let l), .ns(let r)): l == r
        case (.soa(let l), .soa(let r)): l == r
        default: false
        }
    }

    var type: DNSRecordType {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .ns: .ns
        case .soa: .soa
        }
    }
}

public struct DNSResourceRecord: Equatable, Sendable {
    public var name: DNSName
    public var ttl: UInt32
    public var data: DNSRecordData

    public init(name: DNSName, ttl: UInt32, data: DNSRecordData) {
        self.name = name
        self.ttl = ttl
        self.data = data
    }
}

/// A response ready to encode.
public struct DNSResponse: Equatable, Sendable {
    public var id: UInt16
    public var opcode: DNSOpcode
    public var rcode: DNSResponseCode
    public var authoritative: Bool
    public var recursionDesired: Bool
    public var questions: [DNSQuestion]
    public var answers: [DNSResourceRecord]
    public var authority: [DNSResourceRecord]
    /// Present when the query carried OPT: the response then carries one too.
    public var edns: EDNSInfo?

    public init(
        id: UInt16, opcode: DNSOpcode = .query, rcode: DNSResponseCode, authoritative: Bool = false,
        recursionDesired: Bool = false, questions: [DNSQuestion] = [], answers: [DNSResourceRecord] = [],
        authority: [DNSResourceRecord] = [], edns: EDNSInfo? = nil
    ) {
        self.id = id
        self.opcode = opcode
        self.rcode = rcode
        self.authoritative = authoritative
        self.recursionDesired = recursionDesired
        self.questions = questions
        self.answers = answers
        self.authority = authority
        self.edns = edns
    }
}
