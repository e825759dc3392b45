import Foundation
import Testing
@testable import GauntletDriver
@testable import GauntletLive

/// The live endpoint over real sockets on 127.0.0.1, port 0; every connection bounded by a 5 s timeout.
@Suite(.serialized) struct LiveServerTests {
    func port(_ server: LiveServer) -> Int { Int(server.url.split(separator: ":").last!.dropLast())! }

    @Test func servesThePageMetricsAndSummaryOfTheRunSoFar() throws {
        let server = try LiveServer(.loopback, target: "https://127.0.0.1:1", gauntletVersion: "0.1.0-test")
        defer { server.stop() }
        let port = port(server)
        #expect(server.url.hasPrefix("http://127.0.0.1:"))
        let waiting = try RawClient.exchange(port: port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(waiting.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(waiting.contains("first figures arrive"))
        #expect(try RawClient.exchange(port: port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").hasPrefix("HTTP/1.1 503"))

        server.publish(LiveFixture.snapshot(seconds: 2))
        let page = try RawClient.exchange(port: port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(page.contains("data-requests=\"20\""))
        let metrics = try RawClient.exchange(port: port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(metrics.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8"))
        #expect(metrics.contains("gauntlet_responses_total{"))
        let head = try RawClient.exchange(port: port, "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(head.hasPrefix("HTTP/1.1 200 OK") && head.hasSuffix("\r\n\r\n"))
        let summary = try RawClient.exchange(port: port, "GET /summary.json HTTP/1.0\r\n\r\n")
        #expect(summary.contains("\"schema_version\""))
        #expect(try RawClient.exchange(port: port, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n").hasPrefix("HTTP/1.1 404"))
    }

    @Test func streamsAFrameEachUpdateAndEndsWithTheRun() throws {
        let server = try LiveServer(.loopback, target: "t", gauntletVersion: "0.1.0-test")
        defer { server.stop() }
        server.publish(LiveFixture.snapshot(seconds: 1))
        let client = try RawClient(port: port(server))
        defer { client.close() }
        client.send("GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
        let first = client.read(until: "data-requests=\"10\"")
        #expect(first.contains("Content-Type: text/event-stream"))
        #expect(first.contains("event: frame"))
        server.publish(LiveFixture.snapshot(seconds: 3))
        #expect(client.read(until: "data-requests=\"30\"").contains("data-requests=\"30\""))
        let summary = LiveFixture.frame(seconds: 3).summary
        // The CLI stops the endpoint right after publishing the final figures: they must still go out.
        server.finish(RunResult(summary: summary, timeSeries: [], intervals: []))
        server.stop()
        let rest = client.readAll()
        #expect(rest.contains("event: end"))
    }

    @Test(arguments: [
        ("GARBAGE\r\n\r\n", "400"),
        ("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", "405"),
        ("GET / HTTP/3.0\r\nHost: x\r\n\r\n", "505"),
        ("GET / HTTP/1.1\r\n\r\n", "400"),
        ("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", "400"),
        ("GET /" + String(repeating: "a", count: 10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", "431"),
        ("\u{0}\u{1}\u{2}\u{ff}\r\n\r\n", "400"),
    ])
    func answersMalformedRequestsWithAClearError(request: String, status: String) throws {
        let server = try LiveServer(.loopback, target: "t")
        defer { server.stop() }
        let answer = try RawClient.exchange(port: port(server), request)
        #expect(answer.hasPrefix("HTTP/1.1 \(status) "), "\(answer.prefix(200))")
        #expect(answer.contains("Connection: close"))
        // And it still serves the next client.
        #expect(try RawClient.exchange(port: port(server), "GET / HTTP/1.1\r\nHost: x\r\n\r\n").hasPrefix("HTTP/1.1 200"))
    }

    @Test func boundsItsConnections() throws {
        let server = try LiveServer(.loopback, target: "t")
        defer { server.stop() }
        // Clients that connect and say nothing hold their slots until the head timeout; past the bound,
        // newcomers are answered 503 at once instead of queued.
        let idle = try (0..<64).map { _ in try RawClient(port: port(server)) }
        defer { idle.forEach { $0.close() } }
        let refused = try RawClient.exchange(port: port(server), "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(refused.hasPrefix("HTTP/1.1 503"))
        #expect(refused.contains("too many connections"))
    }

    @Test func stopsWithTheRun() throws {
        let server = try LiveServer(.loopback, target: "t")
        let port = port(server)
        server.stop()
        #expect(throws: (any Error).self) { _ = try RawClient(port: port) }
    }

    @Test func aTakenPortIsAClearError() throws {
        let first = try LiveServer(.loopback, target: "t")
        defer { first.stop() }
        do {
            _ = try LiveServer(LiveAddress(host: "127.0.0.1", port: port(first)), target: "t")
            Issue.record("expected the second bind to fail")
        } catch {
            #expect(error.description.contains("the port is in use"))
        }
    }
}
