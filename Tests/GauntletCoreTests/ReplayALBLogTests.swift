import Foundation
import Testing
@testable import GauntletCore

/// Fixture files under `Fixtures/replay/`.
enum ReplayFixtures {
    static func path(_ name: String) -> String {
        let url = Bundle.module.url(forResource: "Fixtures/replay/\(name)", withExtension: nil)
        return url?.path ?? "missing fixture \(name)"
    }

    static func lines(_ name: String) throws -> [String] {
        try String(contentsOfFile: path(name), encoding: .utf8).split(separator: "\n").map(String.init)
    }
}

@Suite("ALB access-log parser: AWS's documented examples, field by field")
struct ReplayALBLogTests {
    @Test func httpEntry() throws {
        let record = try ALBLogParser.parse(ReplayFixtures.lines("aws-doc-examples.log")[0])
        #expect(record.type == .http)
        #expect(record.time == ISO8601Time.parse("2018-07-02T22:23:00.186641Z"))
        #expect(record.elb == "app/my-loadbalancer/50dc6c495c0c9188")
        #expect(record.client == .init(address: "192.168.131.39", port: 2817))
        #expect(record.target == .init(address: "10.0.0.1", port: 80))
        #expect(record.requestProcessingTime == 0.000)
        #expect(record.targetProcessingTime == 0.001)
        #expect(record.responseProcessingTime == 0.000)
        #expect(record.elbStatusCode == 200)
        #expect(record.targetStatusCode == 200)
        #expect(record.receivedBytes == 34)
        #expect(record.sentBytes == 366)
        #expect(record.request == .init(method: "GET", url: "http://www.example.com:80/", httpVersion: "HTTP/1.1"))
        #expect(record.userAgent == "curl/7.46.0")
        #expect(record.sslCipher == nil)
        #expect(record.sslProtocol == nil)
        #expect(record.targetGroupARN == "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067")
        #expect(record.traceID == "Root=1-58337262-36d228ad5d99923122bbe354")
        #expect(record.domainName == nil)
        #expect(record.chosenCertARN == nil)
        #expect(record.matchedRulePriority == 0)
        #expect(record.requestCreationTime == ISO8601Time.parse("2018-07-02T22:22:48.364000Z"))
        #expect(record.actionsExecuted == ["forward"])
        #expect(record.redirectURL == nil)
        #expect(record.errorReason == nil)
        #expect(record.targetPortList == ["10.0.0.1:80"])
        #expect(record.targetStatusCodeList == [200])
        #expect(record.classification == nil)
        #expect(record.classificationReason == nil)
        #expect(record.connTraceID == "TID_1234abcd5678ef90")
        #expect(record.transformedHost == nil)
        #expect(record.transformedURI == nil)
        #expect(record.requestTransformStatus == nil)
    }

    @Test func httpsEntry() throws {
        let record = try ALBLogParser.parse(ReplayFixtures.lines("aws-doc-examples.log")[1])
        #expect(record.type == .https)
        #expect(record.requestProcessingTime == 0.086)
        #expect(record.targetProcessingTime == 0.048)
        #expect(record.responseProcessingTime == 0.037)
        #expect(record.totalProcessingTime.map { abs($0 - 0.171) < 1e-9 } == true)
        #expect(record.receivedBytes == 0)
        #expect(record.sentBytes == 57)
        #expect(record.request.url == "https://www.example.com:443/")
        #expect(record.sslCipher == "ECDHE-RSA-AES128-GCM-SHA256")
        #expect(record.sslProtocol == "TLSv1.2")
        #expect(record.traceID == "Root=1-58337281-1d84f3d73c47ec4e58577259")
        #expect(record.domainName == "www.example.com")
        #expect(record.chosenCertARN == "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012")
        #expect(record.matchedRulePriority == 1)
        #expect(record.actionsExecuted == ["authenticate", "forward"])
        #expect(record.transformedHost == "m.example.com")
        #expect(record.transformedURI == nil)
        #expect(record.requestTransformStatus == "TransformSuccess")
    }

    @Test func http2Entry() throws {
        let record = try ALBLogParser.parse(ReplayFixtures.lines("aws-doc-examples.log")[2])
        #expect(record.type == .h2)
        #expect(record.client == .init(address: "10.0.1.252", port: 48160))
        #expect(record.target == .init(address: "10.0.0.66", port: 9000))
        #expect(record.request == .init(method: "GET", url: "https://10.0.2.105:773/", httpVersion: "HTTP/2.0"))
        #expect(record.actionsExecuted == ["redirect"])
        #expect(record.redirectURL == "https://example.com:80/")
        #expect(record.targetPortList == ["10.0.0.66:9000"])
    }

    @Test func webSocketEntries() throws {
        let lines = try ReplayFixtures.lines("aws-doc-examples.log")
        let ws = try ALBLogParser.parse(lines[3])
        #expect(ws.type == .ws)
        #expect(ws.elbStatusCode == 101)
        #expect(ws.targetStatusCode == 101)
        #expect(ws.userAgent == nil)
        #expect(ws.request.url == "http://10.0.0.30:80/")
        #expect(ws.sentBytes == 587)
        let wss = try ALBLogParser.parse(lines[4])
        #expect(wss.type == .wss)
        #expect(wss.sslProtocol == "TLSv1.2")
        #expect(wss.targetGroupARN?.contains("us-west-2") == true)
        #expect(wss.targetStatusCodeList == [101])
    }

    @Test func lambdaEntries() throws {
        let lines = try ReplayFixtures.lines("aws-doc-examples.log")
        let ok = try ALBLogParser.parse(lines[5])
        #expect(ok.target == nil)
        #expect(ok.targetPortList.isEmpty)
        #expect(ok.targetStatusCodeList.isEmpty)
        let failed = try ALBLogParser.parse(lines[6])
        #expect(failed.elbStatusCode == 502)
        #expect(failed.targetStatusCode == nil)
        #expect(failed.errorReason == "LambdaInvalidResponse")
    }

    /// AWS publishes no grpcs example; this one is the HTTP/2 example with the gRPC type and path.
    @Test func grpcsEntry() throws {
        let line = try ReplayFixtures.lines("aws-doc-examples.log")[2]
            .replacingOccurrences(of: "h2 ", with: "grpcs ", options: .anchored)
            .replacingOccurrences(of: "https://10.0.2.105:773/ ", with: "https://10.0.2.105:773/helloworld.Greeter/SayHello ")
        let record = try ALBLogParser.parse(line)
        #expect(record.type == .grpcs)
        #expect(record.request.url == "https://10.0.2.105:773/helloworld.Greeter/SayHello")
    }

    @Test func minusOneProcessingTimesMeanNotDispatched() throws {
        let record = try ALBLogParser.parse(ReplayFixtures.lines("stack-access.log")[0])
        #expect(record.requestProcessingTime == 0.002)
        #expect(record.targetProcessingTime == nil)
        #expect(record.responseProcessingTime == nil)
        #expect(record.totalProcessingTime == nil)
        #expect(record.targetStatusCode == nil)
        #expect(record.redirectURL?.hasPrefix("https://auth.example.logs.gauntlet.test") == true)
    }

    @Test func unquotedListFieldsAndExtraTrailingFields() throws {
        let quoted = try ReplayFixtures.lines("aws-doc-examples.log")[1]
        let bare = quoted
            .replacingOccurrences(of: "\"authenticate,forward\"", with: "authenticate,forward")
            .replacingOccurrences(of: "\"10.0.0.1:80\" \"200\"", with: "10.0.0.1:80 200")
            + " \"a-future-field\" 42 something-else"
        let a = try ALBLogParser.parse(quoted)
        let b = try ALBLogParser.parse(bare)
        #expect(a == b)
        #expect(b.actionsExecuted == ["authenticate", "forward"])
        #expect(b.targetStatusCodeList == [200])
    }

    @Test func escapedQuotesInsideQuotedFields() throws {
        let line = try ReplayFixtures.lines("aws-doc-examples.log")[0]
            .replacingOccurrences(of: "\"curl/7.46.0\"", with: #""Mozilla \"quoted\" C:\\dir""#)
        let record = try ALBLogParser.parse(line)
        #expect(record.userAgent == #"Mozilla "quoted" C:\dir"#)
        let escaped = try ReplayFixtures.lines("aws-doc-examples.log")[0]
            .replacingOccurrences(of: "\"curl/7.46.0\"", with: #""caf\xc3\xa9\x09tab \xZZ""#)
        #expect(try ALBLogParser.parse(escaped).userAgent == "caf\u{e9}\ttab \\xZZ")
    }

    @Test func unparseableRequestIsLoggedAsDashes() throws {
        let line = #"https 2026-09-29T09:00:00.000000Z app/my-loadbalancer/50dc6c495c0c9188 198.18.9.9:40000 - -1 -1 -1 400 - 0 272 "- - - " "-" - - - "-" "-" "-" - 2026-09-29T09:00:00.000000Z "-" "-" "-" "-" "-" "-" "-" TID_00000000000000aa"#
        let record = try ALBLogParser.parse(line)
        #expect(record.request == .init(method: nil, url: nil, httpVersion: nil))
        #expect(record.elbStatusCode == 400)
        #expect(RecordedRequest(alb: record, position: .init(file: "x", line: 1)) == nil)
    }

    @Test func missingQuoteIsAnErrorWithItsColumn() throws {
        let line = try ReplayFixtures.lines("aws-doc-examples.log")[0]
            .replacingOccurrences(of: "\"curl/7.46.0\"", with: "\"curl/7.46.0")
        // The unterminated quote swallows the rest of the line: the error points at where it opened.
        #expect(throws: ALBLogParser.Failure.self) { try ALBLogParser.parse(line) }
        do {
            _ = try ALBLogParser.parse(#"http 2018-07-02T22:23:00.186641Z app/x 1.2.3.4:5 - 0 0 0 200 200 1 1 "GET http://a/ HTTP/1.1"#)
            Issue.record("expected a failure")
        } catch {
            #expect(error.column == 70)
            #expect(error.message.contains("request"))
            #expect(error.message.contains("never closed"))
        }
    }

    @Test func badFieldsAreNamed() {
        let base = #"http 2018-07-02T22:23:00.186641Z app/x 1.2.3.4:5 - 0.1 0.2 0.3 200 200 1 1 "GET http://a/ HTTP/1.1" "ua" - - - "Root=1""#
        #expect((try? ALBLogParser.parse(base)) != nil)
        let cases: [(String, String)] = [
            (base.replacingOccurrences(of: "2018-07-02T22:23:00.186641Z", with: "yesterday"), "time"),
            (base.replacingOccurrences(of: "1.2.3.4:5", with: "1.2.3.4"), "client:port"),
            (base.replacingOccurrences(of: " 0.2 ", with: " fast "), "target_processing_time"),
            (base.replacingOccurrences(of: " 200 200 ", with: " 200 OK "), "target_status_code"),
            (base.replacingOccurrences(of: " \"Root=1\"", with: ""), "truncated"),
        ]
        for (line, expected) in cases {
            do {
                _ = try ALBLogParser.parse(line)
                Issue.record("expected \(expected) to fail")
            } catch {
                #expect(error.message.contains(expected), "\(error.message)")
            }
        }
    }

    @Test func isoTimesRoundTrip() {
        let time = ISO8601Time.parse("2018-07-02T22:23:00.186641Z")!
        #expect(ISO8601Time.format(time) == "2018-07-02T22:23:00.186641Z")
        #expect(ISO8601Time.parse("2018-07-02T23:23:00.186641+01:00") == time)
        #expect(ISO8601Time.parse("1970-01-01T00:00:00Z") == 0)
        #expect(ISO8601Time.parse("2018-13-02T22:23:00Z") == nil)
        #expect(ISO8601Time.parse("2018-07-02T22:23:00.Z") == nil)
    }
}

@Suite("ALB access-log reader: streaming, skipping, strict")
struct ReplayALBReaderTests {
    @Test func readsEveryDocumentedExampleAcrossChunkBoundaries() throws {
        let text = try String(contentsOfFile: ReplayFixtures.path("aws-doc-examples.log"), encoding: .utf8)
        for chunkSize in [7, 100, 64 * 1024] {
            var reader = ALBLogReader(MemoryChunkSource(name: "docs.log", text: text, chunkSize: chunkSize))
            var requests: [RecordedRequest] = []
            while let request = try reader.next() { requests.append(request) }
            #expect(requests.count == 7)
            #expect(reader.skipped.count == 0)
            #expect(requests.map(\.position.line) == Array(1...7))
            #expect(requests[1].host == "www.example.com")
            #expect(requests[1].scheme == "https")
            #expect(requests[1].pathAndQuery == "/")
            #expect(requests[6].status == 502)
            // The send time is the request creation time, not the response time.
            #expect(requests[0].time == ISO8601Time.parse("2018-07-02T22:22:48.364000Z"))
        }
    }

    @Test func malformedLinesAreSkippedAndCountedWithPositions() throws {
        let good = try ReplayFixtures.lines("aws-doc-examples.log")[0]
        let text = [good, "garbage", "", good.replacingOccurrences(of: "\"curl/7.46.0\"", with: "\"curl"), good, String(good.prefix(90))]
            .joined(separator: "\r\n")
        var reader = ALBLogReader(MemoryChunkSource(name: "mixed.log", text: text))
        var count = 0
        while try reader.next() != nil { count += 1 }
        #expect(count == 2)
        #expect(reader.skipped.count == 3)
        #expect(reader.skipped.examples.map(\.line) == [2, 4, 6])
        #expect(reader.skipped.examples[0].description.hasPrefix("mixed.log:2: "))
        #expect(reader.skipped.examples[1].column > 0)
    }

    @Test func strictMakesTheFirstBadLineFatal() throws {
        let good = try ReplayFixtures.lines("aws-doc-examples.log")[0]
        var reader = ALBLogReader(MemoryChunkSource(name: "bad.log", text: good + "\nnot a log line\n" + good), strict: true)
        #expect(try reader.next() != nil)
        do {
            _ = try reader.next()
            Issue.record("strict mode must throw")
        } catch {
            #expect(error.file == "bad.log")
            #expect(error.line == 2)
        }
    }

    @Test func stackLogMapsOntoRequestTypesAndClients() throws {
        var reader = try ALBLogReader(FileChunkSource(path: ReplayFixtures.path("stack-access.log")), identity: .connection)
        var requests: [RecordedRequest] = []
        while let request = try reader.next() { requests.append(request) }
        #expect(requests.count == 5)
        #expect(requests.map { ReplayClassifier.classify($0).type } == [.ui, .ui, .ui, .api, .api])
        #expect(requests.map { ReplayClassifier.classify($0).isAuthFlow } == [false, true, false, false, false])
        #expect(requests.map(\.clientKey) == ["127.0.0.1:50100", "127.0.0.1:50100", "127.0.0.1:50100", "127.0.0.1:50100", "127.0.0.1:50222"])
        #expect(requests[3].pathAndQuery == "/manager/api/users?page=2")
        #expect(requests[3].path == "/manager/api/users")
        #expect(requests[3].processingTime.map { abs($0 - 0.007) < 1e-9 } == true)
        #expect(requests[4].status == 401)
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: ReplayIssue.self) { try FileChunkSource(path: "/nonexistent/alb.log") }
        do {
            _ = try FileChunkSource(path: "/nonexistent/alb.log")
        } catch {
            #expect(error.description == "/nonexistent/alb.log: the file does not exist")
        }
    }
}

@Suite("the reference stack's own access-log writer")
struct ReplayStackWriterTests {
    /// `stack-writer.log` was written by StackEdge's `AccessLogEntry.line` (wip/edge 4faab63), with a
    /// URL holding a space, quotes, a backslash and a non-ASCII character, and one request refused
    /// before reaching a target (`-1` times, no target).
    @Test func everyLineParsesStrictly() throws {
        var reader = try ALBLogReader(FileChunkSource(path: ReplayFixtures.path("stack-writer.log")), strict: true)
        var records: [ALBLogRecord] = []
        while let (record, _) = try reader.nextRecord() { records.append(record) }
        #expect(records.count == 4)
        #expect(records[1].request.url == #"https://example.logs.gauntlet.test:8443/manager/api/users?page=2&q=café "x""#)
        #expect(records[2].request.url == #"https://example.logs.gauntlet.test:8443/analytics/api/search?q=a\b"#)
        #expect(records[2].elbStatusCode == 403)
        #expect(records[2].target == nil)
        #expect(records[2].requestProcessingTime == nil)
        #expect(records[0].userAgent == #"gauntlet/0.1 ("vu" 3)"#)
        #expect(records[0].connTraceID == "TID_0")
        #expect(records[0].matchedRulePriority == nil)
        #expect(records.map { RecordedRequest(alb: $0, position: .init(file: "s", line: 1)).map { ReplayClassifier.classify($0).type } }
            == [.ui, .api, .api, .ui])
    }

    /// The LB's own 403s (rule 11's fixed response, no target) are replayed as a user who lacks the path's
    /// role; a 403 a target answered, or a refusal of a path both roles may use, teaches nothing.
    @Test func loadBalancerRefusalsNameTheRoleThatLacksAccess() throws {
        func record(_ path: String, elb: Int, target: Int?, actions: [String]) -> RecordedRequest? {
            let line = ALBLogRecord(
                type: .https, time: 1, elb: "app/gauntlet/1", client: .init(address: "127.0.0.1", port: 5),
                elbStatusCode: elb, targetStatusCode: target,
                request: .init(method: "GET", url: "https://example.logs.gauntlet.test:8443\(path)", httpVersion: "HTTP/1.1"),
                actionsExecuted: actions)
            return RecordedRequest(alb: line, position: .init(file: "s", line: 1))
        }
        let refused = try #require(record("/manager/api/users", elb: 403, target: nil, actions: ["authenticate", "fixed-response"]))
        #expect(refused.role == .analysts)
        #expect(ReplayClassifier.classify(refused).role == .analysts)
        #expect(record("/manager/api/users", elb: 200, target: 200, actions: ["authenticate", "forward"])?.role == nil)
        #expect(record("/manager/api/users", elb: 403, target: 403, actions: ["authenticate", "forward"])?.role == nil)
        #expect(record("/analytics/api/search", elb: 403, target: nil, actions: ["authenticate", "fixed-response"])?.role == nil)
    }
}
