import Testing
@testable import GauntletLive

@Suite struct HTTPHeadParserTests {
    func parse(_ text: String, limit: Int = 8192) -> HTTPHeadParser.Outcome {
        var parser = HTTPHeadParser(limit: limit)
        return parser.feed(Array(text.utf8))
    }

    @Test func readsAHeadSentInPieces() {
        var parser = HTTPHeadParser()
        let text = Array("GET /metrics?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n".utf8)
        var outcome = HTTPHeadParser.Outcome.needMore
        for byte in text {
            #expect(outcome == .needMore)
            outcome = parser.feed([byte])
        }
        guard case .head(let head) = outcome else { Issue.record("expected a head, got \(outcome)"); return }
        #expect(head.method == "GET")
        #expect(head.target == "/metrics?x=1")
        #expect(head.path == "/metrics")
        #expect(head.field("HOST") == "127.0.0.1")
        #expect(head.fields.count == 2)
    }

    @Test func acceptsBareLineFeedsAndHTTP10WithoutHost() {
        guard case .head(let head) = parse("\r\nGET / HTTP/1.0\nUser-Agent: x\n\n") else { Issue.record("expected a head"); return }
        #expect(head.version == "HTTP/1.0")
        #expect(head.field("user-agent") == "x")
    }

    @Test(arguments: [
        ("GARBAGE\r\n\r\n", 400),
        ("GET /\r\n\r\n", 400),
        ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET http://x/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\u{1}b\r\n\r\n", 400),
        ("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    ])
    func rejectsMalformedHeads(text: String, status: Int) {
        guard case .reject(let got, let reason) = parse(text) else { Issue.record("expected a rejection of \(text.debugDescription)"); return }
        #expect(got == status, "\(text.debugDescription): \(reason)")
        #expect(!reason.isEmpty)
    }

    @Test func boundsTheHeadSize() {
        var parser = HTTPHeadParser(limit: 64)
        #expect(parser.feed(Array("GET / HTTP/1.1\r\nHost: a\r\n".utf8)) == .needMore)
        let outcome = parser.feed(Array(repeating: UInt8(ascii: "x"), count: 100))
        #expect(outcome == .reject(status: 431, reason: "request head larger than 64 bytes"))
    }

    @Test func boundsTheFieldCount() {
        var text = "GET / HTTP/1.1\r\nHost: a\r\n"
        for index in 0..<70 { text += "X-\(index): y\r\n" }
        guard case .reject(let status, _) = parse(text + "\r\n", limit: 1 << 16) else { Issue.record("expected a rejection"); return }
        #expect(status == 431)
    }
}
