import Testing
@testable import GauntletDriver

@Suite struct DNSMessageTests {
    @Test func queryIsRFC1035() throws {
        let query = try DNSMessage.query(id: 0x1234, name: "example.logs.gauntlet.test")
        #expect(Array(query[0..<12]) == [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])
        #expect(query[12] == 7)
        #expect(Array(query.suffix(5)) == [0, 0, 1, 0, 1])
        #expect(throws: DNSMessage.Failure.badName("a..b")) { try DNSMessage.query(id: 1, name: "a..b") }
    }

    /// An answer as a server sends it: the question echoed, then one A record using a name pointer.
    static func answer(id: UInt16, rcode: UInt8 = 0, ttl: UInt32 = 300) -> [UInt8] {
        var packet = (try? DNSMessage.query(id: id, name: "lb.test")) ?? []
        packet[2] = 0x81
        packet[3] = 0x80 | rcode
        packet[7] = rcode == 0 ? 1 : 0
        if rcode == 0 {
            packet += [0xC0, 0x0C, 0, 1, 0, 1]
            packet += [UInt8(ttl >> 24), UInt8(ttl >> 16 & 0xFF), UInt8(ttl >> 8 & 0xFF), UInt8(ttl & 0xFF)]
            packet += [0, 4, 127, 0, 0, 1]
        }
        return packet
    }

    @Test func answerGivesAddressAndTTL() throws {
        let answer = try DNSMessage.parseAnswer(Self.answer(id: 7, ttl: 60), id: 7)
        #expect(answer == DNSMessage.Answer(addresses: ["127.0.0.1"], ttl: 60))
    }

    @Test func errorsAreNamed() {
        #expect(throws: DNSMessage.Failure.rcode(3)) { try DNSMessage.parseAnswer(Self.answer(id: 7, rcode: 3), id: 7) }
        #expect(throws: DNSMessage.Failure.idMismatch) { try DNSMessage.parseAnswer(Self.answer(id: 7), id: 8) }
        #expect(throws: DNSMessage.Failure.truncated) { try DNSMessage.parseAnswer(Array(Self.answer(id: 7).prefix(30)), id: 7) }
        #expect(DNSMessage.Failure.rcode(3).description.contains("NXDOMAIN"))
    }

    @Test func resolvingThroughAServerThatDoesNotAnswerTimesOutAsDNS() throws {
        let client = DNSClient(server: "127.0.0.1", port: 9, timeout: 0.2)
        #expect {
            _ = try client.resolve("lb.test")
        } throws: { error in
            (error as? TransportError)?.category == .dns
        }
    }
}
