extension DNSResponse {
    /// The largest UDP response sent to a client that did not advertise EDNS (RFC 1035 §4.2.1).
    public static let classicUDPLimit = 512
    /// What this server advertises in its OPT record (the DNS flag day 2020 value).
    public static let advertisedUDPPayloadSize: UInt16 = 1232

    /// Encodes the response with name compression. When `maxSize` is given and the full response
    /// would exceed it, the records are dropped and TC is set, so the client retries over TCP.
    public func encode(maxSize: Int? = nil) -> [UInt8] {
        let full = encode(includeRecords: true)
        guard let maxSize, full.count > maxSize else { return full }
        return encode(includeRecords: false)
    }

    private func encode(includeRecords: Bool) -> [UInt8] {
        var writer = DNSWriter()
        let answers = includeRecords ? self.answers : []
        let authority = includeRecords ? self.authority : []
        let header = DNSHeader(
            id: id, isResponse: true, opcode: opcode, authoritative: authoritative,
            truncated: !includeRecords, recursionDesired: recursionDesired, recursionAvailable: false,
            rcodeLow: UInt8(rcode.rawValue & 0x0F), questionCount: UInt16(questions.count),
            answerCount: UInt16(answers.count), authorityCount: UInt16(authority.count),
            additionalCount: edns == nil ? 0 : 1
        )
        writer.append(header.id)
        writer.append(header.flags)
        writer.append(header.questionCount)
        writer.append(header.answerCount)
        writer.append(header.authorityCount)
        writer.append(header.additionalCount)
        for question in questions {
            writer.append(name: question.name)
            writer.append(question.type.rawValue)
            writer.append(question.qclass.rawValue)
        }
        for record in answers + authority {
            writer.append(record: record)
        }
        if edns != nil {
            writer.bytes.append(0)  // root owner name
            writer.append(DNSRecordType.opt.rawValue)
            writer.append(Self.advertisedUDPPayloadSize)
            // TTL field: extended RCODE (upper 8 bits of 12), version 0, flags 0.
            writer.append(UInt32(rcode.rawValue >> 4) << 24)
            writer.append(UInt16(0))
        }
        return writer.bytes
    }
}

/// Appends big-endian fields and compressed names to a growing packet.
struct DNSWriter {
    var bytes: [UInt8] = []
    /// Offsets of name suffixes already written, keyed by their labels, for compression pointers.
    private var suffixOffsets: [ArraySlice<String>: Int] = [:]

    mutating func append(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func append(_ value: UInt32) {
        append(UInt16(value >> 16))
        append(UInt16(value & 0xFFFF))
    }

    mutating func append(name: DNSName) {
        let labels = name.labels
        for index in labels.indices {
            let suffix = labels[index...]
            if let target = suffixOffsets[suffix] {
                append(UInt16(0xC000) | UInt16(target))
                return
            }
            if bytes.count < 0x3FFF { suffixOffsets[suffix] = bytes.count }
            let label = labels[index]
            bytes.append(UInt8(label.utf8.count))
            bytes.append(contentsOf: label.utf8)
        }
        bytes.append(0)
    }

    mutating func append(record: DNSResourceRecord) {
        append(name: record.name)
        append(record.data.type.rawValue)
        append(DNSClass.internet.rawValue)
        append(record.ttl)
        let lengthOffset = bytes.count
        append(UInt16(0))
        switch record.data {
        case .a(let address):
            bytes.append(contentsOf: [address.0, address.1, address.2, address.3])
        case .aaaa(let address):
            bytes.append(contentsOf: address)
        case .ns(let host):
            append(name: host)
        case .soa(let soa):
            append(name: soa.primaryServer)
            append(name: soa.responsibleMailbox)
            append(soa.serial)
            append(soa.refresh)
            append(soa.retry)
            append(soa.expire)
            append(soa.minimum)
        }
        let length = bytes.count - lengthOffset - 2
        bytes[lengthOffset] = UInt8(length >> 8)
        bytes[lengthOffset + 1] = UInt8(length & 0xFF)
    }
}
