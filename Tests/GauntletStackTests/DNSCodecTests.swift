import Foundation
import StackDNS
import StackSupport
import Testing

/// Builds query packets by hand, so the codec is tested against bytes it did not write.
enum DNSTestPackets {
    static func name(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for label in text.split(separator: ".") {
            bytes.append(UInt8(label.utf8.count))
            bytes += Array(label.utf8)
        }
        return bytes + [0]
    }

    static func header(id: UInt16 = 0x1234, flags: UInt16 = 0x0100, qd: UInt16 = 1, an: UInt16 = 0, ns: UInt16 = 0, ar: UInt16 = 0) -> [UInt8] {
        [id, flags, qd, an, ns, ar].flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    static func opt(size: UInt16 = 4096, version: UInt8 = 0) -> [UInt8] {
        [0, 0, 41, UInt8(size >> 8), UInt8(size & 0xFF), 0, version, 0x80, 0, 0, 0]
    }

    static func query(_ text: String, type: UInt16 = 1, id: UInt16 = 0x1234, edns: [UInt8]? = nil) -> [UInt8] {
        header(id: id, ar: edns == nil ? 0 : 1) + name(text) + [UInt8(type >> 8), UInt8(type & 0xFF), 0, 1] + (edns ?? [])
    }
}

@Suite("DNS codec and authority")
struct DNSCodecTests {
    static let authority = try! DNSAuthority(
        zone: "gauntlet.test", ttl: 60,
        records: [
            "example.logs.gauntlet.test": ["127.0.0.1", "::1"],
            "auth.example.logs.gauntlet.test": ["127.0.0.1"],
            "upload.example.logs.gauntlet.test": ["127.0.0.1"],
        ]
    )

    func ask(_ packet: [UInt8], over transport: DNSAuthority.Transport = .udp) throws -> (header: DNSHeader, records: [DNSParsedRecord]) {
        let reply = try #require(Self.authority.respond(to: packet, over: transport))
        let parsed = try DNSMessageParser.parseResponse(reply)
        return (parsed.header, parsed.records)
    }

    struct Expectation: Sendable, CustomTestStringConvertible {
        var name: String
        var type: UInt16
        var rcode: UInt8
        var answers: Int
        var soaInAuthority: Bool
        var testDescription: String { "\(name) type \(type)" }
    }

    @Test(arguments: [
        Expectation(name: "example.logs.gauntlet.test", type: 1, rcode: 0, answers: 1, soaInAuthority: false),
        Expectation(name: "EXAMPLE.Logs.GAUNTLET.test", type: 1, rcode: 0, answers: 1, soaInAuthority: false),
        Expectation(name: "example.logs.gauntlet.test", type: 28, rcode: 0, answers: 1, soaInAuthority: false),
        Expectation(name: "example.logs.gauntlet.test", type: 255, rcode: 0, answers: 2, soaInAuthority: false),
        Expectation(name: "auth.example.logs.gauntlet.test", type: 28, rcode: 0, answers: 0, soaInAuthority: true),
        Expectation(name: "example.logs.gauntlet.test", type: 16, rcode: 0, answers: 0, soaInAuthority: true),
        Expectation(name: "logs.gauntlet.test", type: 1, rcode: 0, answers: 0, soaInAuthority: true),
        Expectation(name: "gauntlet.test", type: 6, rcode: 0, answers: 1, soaInAuthority: false),
        Expectation(name: "nope.gauntlet.test", type: 1, rcode: 3, answers: 0, soaInAuthority: true),
        Expectation(name: "x.example.logs.gauntlet.test", type: 1, rcode: 3, answers: 0, soaInAuthority: true),
        Expectation(name: "example.com", type: 1, rcode: 5, answers: 0, soaInAuthority: false),
        Expectation(name: "gauntlet.test", type: 252, rcode: 5, answers: 0, soaInAuthority: false),
    ])
    func answers(_ expected: Expectation) throws {
        let (header, records) = try ask(DNSTestPackets.query(expected.name, type: expected.type))
        #expect(header.id == 0x1234)
        #expect(header.isResponse && header.recursionDesired && !header.recursionAvailable)
        #expect(header.rcodeLow == expected.rcode)
        #expect(header.answerCount == UInt16(expected.answers))
        #expect(header.authoritative == (expected.rcode != 5))
        let soa = records.filter { $0.section == .authority && $0.type == .soa }
        #expect(soa.count == (expected.soaInAuthority ? 1 : 0))
    }

    @Test func aRecordCarriesAddressAndTTL() throws {
        let (_, records) = try ask(DNSTestPackets.query("example.logs.gauntlet.test"))
        let answer = try #require(records.first)
        #expect(answer.data == [127, 0, 0, 1])
        #expect(answer.ttl == 60)
        #expect(answer.name == (try DNSName("example.logs.gauntlet.test")))
        let (_, v6) = try ask(DNSTestPackets.query("example.logs.gauntlet.test", type: 28))
        #expect(v6.first?.data == [UInt8](repeating: 0, count: 15) + [1])
    }

    @Test func malformedPacketsGetFORMERRWithTheirID() throws {
        let good = DNSTestPackets.query("example.logs.gauntlet.test", id: 0xBEEF)
        let cases: [[UInt8]] = [
            Array(good.dropLast(3)),  // question cut short
            DNSTestPackets.header(id: 0xBEEF) + [0xC0, 0x0C, 0, 1, 0, 1],  // pointer to itself: a loop
            DNSTestPackets.header(id: 0xBEEF) + [0xC0, 0x40, 0, 1, 0, 1],  // pointer past the end
            DNSTestPackets.header(id: 0xBEEF) + [0x80, 0x41, 0, 0, 1, 0, 1],  // reserved label type
            DNSTestPackets.header(id: 0xBEEF, qd: 0),  // no question
            good + [0, 0, 0],  // trailing garbage
            DNSTestPackets.header(id: 0xBEEF, ar: 2) + DNSTestPackets.name("example.logs.gauntlet.test") + [0, 1, 0, 1]
                + DNSTestPackets.opt() + DNSTestPackets.opt(),  // two OPT records
        ]
        for packet in cases {
            let (header, records) = try ask(packet)
            #expect(header.id == 0xBEEF)
            #expect(header.rcodeLow == 1, "expected FORMERR for \(packet)")
            #expect(records.isEmpty)
        }
    }

    @Test func compressionPointersInQuestionsAreFollowed() throws {
        // The second question's name is a pointer back to the first one.
        let packet = DNSTestPackets.header(qd: 2) + DNSTestPackets.name("Example.logs.gauntlet.test") + [0, 1, 0, 1] + [0xC0, 12, 0, 28, 0, 1]
        let query = try DNSMessageParser.parseQuery(packet)
        #expect(query.questions.count == 2)
        #expect(query.questions[0].name == query.questions[1].name)
        #expect(query.questions[1].type == .aaaa)
        // A pointer to the middle of a name: "gauntlet.test" at offset 12 + 1 + 7 + 1 + 4.
        let suffix = DNSTestPackets.header(qd: 2) + DNSTestPackets.name("example.logs.gauntlet.test") + [0, 1, 0, 1] + [3, 0x61, 0x62, 0x63, 0xC0, 25, 0, 1, 0, 1]
        #expect(try DNSMessageParser.parseQuery(suffix).questions[1].name == (try DNSName("abc.gauntlet.test")))
    }

    @Test func nonQueryOpcodesGetNOTIMPAndResponsesAreDropped() throws {
        var update = DNSTestPackets.query("example.logs.gauntlet.test")
        update[2] = 0x28  // opcode 5 (UPDATE)
        let (header, _) = try ask(update)
        #expect(header.rcodeLow == 4)
        #expect(header.opcode == .update)
        var response = DNSTestPackets.query("example.logs.gauntlet.test")
        response[2] |= 0x80
        #expect(Self.authority.respond(to: response, over: .udp) == nil)
        #expect(Self.authority.respond(to: [1, 2, 3], over: .udp) == nil)
    }

    @Test func ednsIsEchoedAndUnknownVersionsGetBADVERS() throws {
        let (header, records) = try ask(DNSTestPackets.query("example.logs.gauntlet.test", edns: DNSTestPackets.opt()))
        #expect(header.rcodeLow == 0 && header.additionalCount == 1)
        #expect(records.last?.type == .opt && records.last?.rclass == 1232)
        let (badHeader, badRecords) = try ask(DNSTestPackets.query("example.logs.gauntlet.test", edns: DNSTestPackets.opt(version: 1)))
        let opt = try #require(badRecords.last)
        // BADVERS = 16: low four bits 0 in the header, upper bits 1 in the OPT TTL's top byte.
        #expect(badHeader.rcodeLow == 0 && opt.ttl >> 24 == 1)
    }

    @Test func largeAnswersAreTruncatedOverUDPOnly() throws {
        let many = (1...60).map { "10.0.0.\($0)" }
        let authority = try DNSAuthority(zone: "gauntlet.test", ttl: 5, records: ["big.gauntlet.test": many])
        let packet = DNSTestPackets.query("big.gauntlet.test")
        let udp = try DNSMessageParser.parseResponse(try #require(authority.respond(to: packet, over: .udp)))
        #expect(udp.header.truncated && udp.header.answerCount == 0)
        let tcp = try DNSMessageParser.parseResponse(try #require(authority.respond(to: packet, over: .tcp)))
        #expect(!tcp.header.truncated && tcp.header.answerCount == 60)
        // Names are compressed: 60 answers cost far less than 60 full names.
        #expect(try #require(authority.respond(to: packet, over: .tcp)).count < 60 * 20 + 100)
    }

    @Test func configErrorsNameTheValue() throws {
        #expect(throws: DNSConfigError.outsideZone(name: "example.com", zone: "gauntlet.test")) {
            try DNSAuthority(zone: "gauntlet.test", ttl: 60, records: ["example.com": ["127.0.0.1"]])
        }
        #expect(throws: DNSConfigError.invalidAddress(name: "a.gauntlet.test", value: "localhost")) {
            try DNSAuthority(zone: "gauntlet.test", ttl: 60, records: ["a.gauntlet.test": ["localhost"]])
        }
        #expect(throws: DNSNameError.labelTooLong(label: String(repeating: "a", count: 64), length: 64)) {
            try DNSName(String(repeating: "a", count: 64) + ".test")
        }
        let config = try JSONDecoder().decode(DNSConfig.self, from: Data(#"{"ttl": 5}"#.utf8))
        #expect(config.ttl == 5 && config.port == 0 && config.zone == nil)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(DNSConfig.self, from: Data(#"{"port": 70000}"#.utf8)) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(DNSConfig.self, from: Data(#"{"tll": 5}"#.utf8)) }
        let authority = try DNSConfig().makeAuthority(names: StackNames(domain: "gauntlet.test", tenant: "acme"))
        #expect(authority.hosts.keys.map(\.description).sorted() == [
            "acme.logs.gauntlet.test.", "auth.acme.logs.gauntlet.test.", "upload.acme.logs.gauntlet.test.",
        ])
    }
}
