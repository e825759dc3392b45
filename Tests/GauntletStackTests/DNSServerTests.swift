import Foundation
import StackDNS
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Live queries over real sockets on 127.0.0.1, with a plain POSIX client (not the server's code).
@Suite("DNS server over UDP and TCP", .timeLimit(.minutes(1)))
struct DNSServerTests {
    static let records = [
        "example.logs.gauntlet.test": ["127.0.0.1", "::1"],
        "auth.example.logs.gauntlet.test": ["127.0.0.1"],
    ]

    /// Runs `body` with a server bound to an ephemeral port, then cancels it.
    func withServer(_ body: @Sendable (DNSBoundPorts) async throws -> Void) async throws {
        let server = DNSServer(
            authority: try DNSConfig(ttl: 42).makeAuthority(zone: "gauntlet.test", stackRecords: Self.records), port: 0
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let ports = try await server.boundPorts()
            #expect(try await server.boundPort.value() == ports.udp)
            do {
                try await body(ports)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    static func address(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    static func setTimeout(_ fd: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    static func udpExchange(_ packet: [UInt8], port: Int) throws -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        setTimeout(fd)
        var address = address(port: port)
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, packet, packet.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(sent == packet.count)
        var buffer = [UInt8](repeating: 0, count: 4096)
        let received = recv(fd, &buffer, buffer.count, 0)
        try #require(received > 0, "no UDP reply")
        return Array(buffer.prefix(received))
    }

    static func tcpExchange(_ packets: [[UInt8]], port: Int) throws -> [[UInt8]] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        setTimeout(fd)
        var address = address(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        // Both queries in one write: the server must split frames itself.
        let framed = packets.flatMap { [UInt8($0.count >> 8), UInt8($0.count & 0xFF)] + $0 }
        try #require(send(fd, framed, framed.count, 0) == framed.count)
        var replies: [[UInt8]] = []
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while replies.count < packets.count {
            let received = recv(fd, &buffer, buffer.count, 0)
            try #require(received > 0, "TCP connection closed early")
            pending += buffer.prefix(received)
            while pending.count >= 2, pending.count >= 2 + (Int(pending[0]) << 8 | Int(pending[1])) {
                let length = Int(pending[0]) << 8 | Int(pending[1])
                replies.append(Array(pending[2..<(2 + length)]))
                pending.removeFirst(2 + length)
            }
        }
        return replies
    }

    @Test func answersOverUDPAndTCPOnTheSamePort() async throws {
        try await withServer { ports in
            #expect(ports.udp == ports.tcp && ports.udp > 0)
            let reply = try Self.udpExchange(DNSTestPackets.query("example.logs.gauntlet.test", id: 7), port: ports.udp)
            let parsed = try DNSMessageParser.parseResponse(reply)
            #expect(parsed.header.id == 7 && parsed.header.rcodeLow == 0)
            #expect(parsed.records.first?.data == [127, 0, 0, 1] && parsed.records.first?.ttl == 42)

            let replies = try Self.tcpExchange(
                [DNSTestPackets.query("auth.example.logs.gauntlet.test", id: 8), DNSTestPackets.query("missing.gauntlet.test", id: 9)],
                port: ports.tcp
            )
            let first = try DNSMessageParser.parseResponse(replies[0])
            let second = try DNSMessageParser.parseResponse(replies[1])
            #expect(first.header.id == 8 && first.records.first?.data == [127, 0, 0, 1])
            #expect(second.header.id == 9 && second.header.rcodeLow == 3)
        }
    }

    @Test func malformedDatagramsDoNotStopTheServer() async throws {
        try await withServer { ports in
            let bad = DNSTestPackets.header(id: 0x0BAD) + [0xC0, 0x0C, 0, 1, 0, 1]
            let reply = try DNSMessageParser.parseResponse(try Self.udpExchange(bad, port: ports.udp))
            #expect(reply.header.id == 0x0BAD && reply.header.rcodeLow == 1)
            let after = try DNSMessageParser.parseResponse(
                try Self.udpExchange(DNSTestPackets.query("example.logs.gauntlet.test"), port: ports.udp)
            )
            #expect(after.header.rcodeLow == 0 && after.header.answerCount == 1)
        }
    }

    /// `dig` (dnsutils) is the independent client the issue names.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/dig")))
    func digIsHappy() async throws {
        try await withServer { ports in
            for (arguments, expected) in [
                (["example.logs.gauntlet.test", "A"], "127.0.0.1"),
                (["+tcp", "example.logs.gauntlet.test", "AAAA"], "::1"),
                (["nope.gauntlet.test", "A"], "NXDOMAIN"),
                (["example.org", "A"], "REFUSED"),
            ] {
                let (_, output) = try await runTool(
                    "/usr/bin/dig", ["@127.0.0.1", "-p", String(ports.udp), "+time=3", "+tries=1"] + arguments
                )
                #expect(output.contains(expected), "dig \(arguments): \(output)")
                #expect(!output.contains("malformed") && !output.contains("FORMERR"), "dig \(arguments): \(output)")
            }
            // The CI check script, run against this server.
            let script = try await runTool("/bin/bash", [verifyScript("dns_dig.sh"), String(ports.udp)])
            #expect(script.status == 0, "\(script.output)")
            #expect(script.output.contains("dns_dig: all checks passed"))
            // The same script reading the endpoints file `gauntlet stack` writes.
            let endpoints = FileManager.default.temporaryDirectory.appendingPathComponent("dns-endpoints-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: endpoints) }
            try Data(#"{"dns": {"address": "127.0.0.1", "port": \#(ports.udp)}}"#.utf8).write(to: endpoints)
            let viaFile = try await runTool("/bin/bash", [verifyScript("dns_dig.sh"), endpoints.path])
            #expect(viaFile.status == 0, "\(viaFile.output)")
            #expect(viaFile.output.contains("all checks passed against 127.0.0.1:\(ports.udp)"))
        }
    }
}
