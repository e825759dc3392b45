/// Why a packet could not be read as a query. Each case names the offset so a packet capture can be
/// matched against it; all of them are answered with FORMERR once the header itself was readable.
public enum DNSParseError: Error, Equatable, CustomStringConvertible {
    case headerTooShort(length: Int)
    case truncated(field: String, offset: Int)
    case compressionLoop(pointerAt: Int, target: Int)
    case pointerOutOfRange(pointerAt: Int, target: Int)
    case reservedLabelType(offset: Int, byte: UInt8)
    case nameTooLong(offset: Int)
    case nonASCIILabel(offset: Int)
    case duplicateOPT
    case optNameNotRoot
    case trailingBytes(count: Int)

    public var description: String {
        switch self {
        case .headerTooShort(let length): "packet is \(length) bytes; a DNS header needs 12"
        case .truncated(let field, let offset): "packet ends inside \(field) at offset \(offset)"
        case .compressionLoop(let at, let target):
            "compression pointer at offset \(at) points to \(target), not to an earlier name (would loop)"
        case .pointerOutOfRange(let at, let target): "compression pointer at offset \(at) points past the packet (\(target))"
        case .reservedLabelType(let offset, let byte): "label at offset \(offset) has reserved type bits (0x\(String(byte, radix: 16)))"
        case .nameTooLong(let offset): "name starting at offset \(offset) is longer than 255 bytes"
        case .nonASCIILabel(let offset): "label at offset \(offset) is not printable ASCII"
        case .duplicateOPT: "more than one OPT record in the additional section"
        case .optNameNotRoot: "OPT record owner name is not the root"
        case .trailingBytes(let count): "\(count) bytes follow the last record"
        }
    }
}

/// Reads queries off the wire (RFC 1035 §4.1), following compression pointers only backwards so a
/// hostile packet cannot make the reader loop.
public struct DNSMessageParser {
    private let bytes: [UInt8]
    private var offset = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Reads only the header, so a malformed body can still be answered with the right ID and opcode.
    public static func parseHeader(_ bytes: [UInt8]) throws(DNSParseError) -> DNSHeader {
        var parser = DNSMessageParser(bytes)
        return try parser.readHeader()
    }

    public static func parseQuery(_ bytes: [UInt8]) throws(DNSParseError) -> DNSQuery {
        var parser = DNSMessageParser(bytes)
        let header = try parser.readHeader()
        var questions: [DNSQuestion] = []
        for _ in 0..<header.questionCount {
            let name = try parser.readName()
            let type = try parser.readUInt16(field: "question type")
            let qclass = try parser.readUInt16(field: "question class")
            questions.append(DNSQuestion(name: name, type: DNSRecordType(rawValue: type), qclass: DNSClass(rawValue: qclass)))
        }
        for _ in 0..<(Int(header.answerCount) + Int(header.authorityCount)) {
            _ = try parser.readRecord()
        }
        var edns: EDNSInfo?
        for _ in 0..<header.additionalCount {
            let record = try parser.readRecord()
            guard record.type == .opt else { continue }
            guard edns == nil else { throw .duplicateOPT }
            guard record.name == .root else { throw .optNameNotRoot }
            edns = EDNSInfo(
                udpPayloadSize: record.rclass,
                version: UInt8((record.ttl >> 16) & 0xFF),
                dnssecOK: record.ttl & 0x8000 != 0
            )
        }
        if parser.offset != bytes.count { throw .trailingBytes(count: bytes.count - parser.offset) }
        return DNSQuery(header: header, questions: questions, edns: edns)
    }

    /// Reads a response; used by tests and by clients of this server, not by the server itself.
    public static func parseResponse(_ bytes: [UInt8]) throws(DNSParseError) -> (header: DNSHeader, questions: [DNSQuestion], records: [DNSParsedRecord]) {
        var parser = DNSMessageParser(bytes)
        let header = try parser.readHeader()
        var questions: [DNSQuestion] = []
        for _ in 0..<header.questionCount {
            let name = try parser.readName()
            let type = try parser.readUInt16(field: "question type")
            let qclass = try parser.readUInt16(field: "question class")
            questions.append(DNSQuestion(name: name, type: DNSRecordType(rawValue: type), qclass: DNSClass(rawValue: qclass)))
        }
        var records: [DNSParsedRecord] = []
        let total = Int(header.answerCount) + Int(header.authorityCount) + Int(header.additionalCount)
        for index in 0..<total {
            var record = try parser.readRecord()
            record.section = index < Int(header.answerCount) ? .answer
                : index < Int(header.answerCount) + Int(header.authorityCount) ? .authority : .additional
            records.append(record)
        }
        return (header, questions, records)
    }

    private mutating func readHeader() throws(DNSParseError) -> DNSHeader {
        guard bytes.count >= 12 else { throw .headerTooShort(length: bytes.count) }
        let id = try readUInt16(field: "header")
        let flags = try readUInt16(field: "header")
        let counts = (
            try readUInt16(field: "header"), try readUInt16(field: "header"),
            try readUInt16(field: "header"), try readUInt16(field: "header")
        )
        return DNSHeader(id: id, flags: flags, counts: counts)
    }

    private mutating func readRecord() throws(DNSParseError) -> DNSParsedRecord {
        let name = try readName()
        let type = try readUInt16(field: "record type")
        let rclass = try readUInt16(field: "record class")
        let ttl = try readUInt32(field: "record TTL")
        let length = Int(try readUInt16(field: "record data length"))
        guard offset + length <= bytes.count else { throw .truncated(field: "record data", offset: offset) }
        let dataStart = offset
        offset += length
        return DNSParsedRecord(
            name: name, type: DNSRecordType(rawValue: type), rclass: rclass, ttl: ttl,
            data: Array(bytes[dataStart..<offset]), dataOffset: dataStart
        )
    }

    private mutating func readName() throws(DNSParseError) -> DNSName {
        let (name, end) = try Self.readName(in: bytes, at: offset)
        offset = end
        return name
    }

    /// Reads a possibly compressed name at `start`; returns it and the offset just past it in the
    /// original position (a pointer ends the name there).
    static func readName(in bytes: [UInt8], at start: Int) throws(DNSParseError) -> (DNSName, Int) {
        var labels: [String] = []
        var position = start
        var endOfName: Int?
        var wireLength = 1
        // Each jump must land strictly before the pointer that made it, so positions only decrease
        // across jumps and a loop is impossible.
        while true {
            guard position < bytes.count else { throw .truncated(field: "name", offset: position) }
            let length = bytes[position]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    return (DNSName(validatedLabels: labels), endOfName ?? position + 1)
                }
                let labelStart = position + 1
                let labelEnd = labelStart + Int(length)
                guard labelEnd <= bytes.count else { throw .truncated(field: "label", offset: labelStart) }
                wireLength += Int(length) + 1
                guard wireLength <= DNSName.maxWireLength else { throw .nameTooLong(offset: start) }
                let raw = bytes[labelStart..<labelEnd]
                guard raw.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw .nonASCIILabel(offset: position) }
                labels.append(String(decoding: raw, as: UTF8.self).lowercased())
                position = labelEnd
            case 0xC0:
                guard position + 1 < bytes.count else { throw .truncated(field: "compression pointer", offset: position) }
                let target = Int(UInt16(length & 0x3F) << 8 | UInt16(bytes[position + 1]))
                guard target < bytes.count else { throw .pointerOutOfRange(pointerAt: position, target: target) }
                guard target < position else { throw .compressionLoop(pointerAt: position, target: target) }
                if endOfName == nil { endOfName = position + 2 }
                position = target
            default:
                throw .reservedLabelType(offset: position, byte: length)
            }
        }
    }

    private mutating func readUInt16(field: String) throws(DNSParseError) -> UInt16 {
        guard offset + 2 <= bytes.count else { throw .truncated(field: field, offset: offset) }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    private mutating func readUInt32(field: String) throws(DNSParseError) -> UInt32 {
        let high = try readUInt16(field: field)
        let low = try readUInt16(field: field)
        return UInt32(high) << 16 | UInt32(low)
    }
}

/// A record as read off the wire, with its RDATA left raw.
public struct DNSParsedRecord: Equatable, Sendable {
    public enum Section: Sendable { case answer, authority, additional }
    public var name: DNSName
    public var type: DNSRecordType
    public var rclass: UInt16
    public var ttl: UInt32
    public var data: [UInt8]
    /// Where `data` starts in the packet, for following compressed names inside it.
    public var dataOffset: Int
    public var section: Section = .answer
}
