import Foundation
import Testing
@testable import StackUpload

@Suite("Upload event parsing")
struct UploadEventParserTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000.5)

    private func parse(_ text: String, _ format: EventBatchParser.Format = .ndjson) throws(EventBatchError) -> EventBatch {
        try EventBatchParser.parse(Array(text.utf8), format: format, now: now)
    }

    @Test("NDJSON: objects per line, blank lines skipped, exact bytes kept")
    func ndjson() throws {
        let batch = try parse("{\"source\":\"a\",\"n\":1}\n\n  {\"source\":\"b\",\"x\":[1,2,{\"y\":null}]}\r\n")
        #expect(batch.count == 2)
        #expect(String(decoding: batch.body[batch.events[1].range], as: UTF8.self) == "{\"source\":\"b\",\"x\":[1,2,{\"y\":null}]}")
        #expect(batch.events.map(\.source) == ["a", "b"])
        #expect(batch.events[0].timestampMillis == 1_800_000_000_500, "no timestamp: the receive time")
    }

    @Test("a JSON array of events, with the index of a bad one")
    func jsonArray() throws {
        let batch = try parse("[ {\"source\":\"a\"} , {\"source\":\"b\",\"timestamp\":1800000001} ]", .jsonArray)
        #expect(batch.events.map(\.timestampMillis) == [1_800_000_000_500, 1_800_000_001_000])
        #expect(throws: EventBatchError(location: .index(1), problem: "expected a JSON object, found a number (byte 18)")) {
            _ = try parse("[{\"source\":\"a\"}, 42]", .jsonArray)
        }
        #expect(throws: EventBatchError.self) { _ = try parse("{\"source\":\"a\"}", .jsonArray) }
        #expect(throws: EventBatchError(location: .body, problem: "the batch holds no events")) { _ = try parse("[]", .jsonArray) }
    }

    @Test(
        "each kind of bad event is named with its line",
        arguments: [
            ("{\"source\":\"a\"", "found end of input"),
            ("{\"source\":\"a\",\"x\":\"open", "unterminated string"),
            ("{\"msg\":\"x\"}", "missing \"source\""),
            ("{\"source\":\"\"}", "\"source\" is empty"),
            ("{\"source\":5}", "\"source\" must be a string, found a number"),
            ("{\"source\":\"a\",\"timestamp\":\"yesterday\"}", "not an RFC 3339 date-time"),
            ("{\"source\":\"a\",\"timestamp\":true}", "must be a string or a number, found a boolean"),
            ("{\"source\":\"a\",\"timestamp\":-5}", "is not epoch seconds or milliseconds"),
            ("[1,2]", "expected a JSON object, found an array"),
            ("{\"source\":\"a\"} trailing", "after the event object"),
            ("{\"source\":\"a\",\"x\":tru}", "invalid literal"),
            ("{\"source\":\"a\",\"x\":01}", "expected ',' or '}'"),
            ("{\"source\":\"a\",\"x\":\"bad \\q escape\"}", "invalid escape"),
            ("{\"source\":\"a\",\"x\":\"\u{01}\"}", "control character"),
            ("{'source':'a'}", "expected a member name in quotes"),
        ])
    func badEvents(line: String, problem: String) throws {
        var lines = (0..<20).map { "{\"source\":\"s\",\"n\":\($0)}" }
        lines[16] = line
        do {
            _ = try parse(lines.joined(separator: "\n"))
            Issue.record("accepted a bad event: \(line)")
        } catch {
            #expect(error.location == .line(17))
            #expect(error.problem.contains(problem), "\(error.problem)")
        }
    }

    @Test("invalid UTF-8 inside a string is refused; valid multi-byte text is kept")
    func utf8() throws {
        var bytes = Array("{\"source\":\"a\",\"m\":\"".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        #expect(throws: EventBatchError.self) { _ = try EventBatchParser.parse(bytes, format: .ndjson) }
        bytes = Array("{\"source\":\"h\u{e9}llo \u{1F600}\"}".utf8)
        #expect(try EventBatchParser.parse(bytes, format: .ndjson).events[0].source == "h\u{e9}llo \u{1F600}")
        #expect(try parse("{\"\\u0073ource\":\"esc\\u00e9\\ud83d\\ude00\"}").events[0].source == "esc\u{e9}\u{1F600}")
    }

    @Test("too deep nesting and too large events are refused, not crashed on")
    func limits() throws {
        let deep = "{\"source\":\"a\",\"x\":" + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}"
        #expect(throws: EventBatchError.self) { _ = try parse(deep) }
        let big = "{\"source\":\"a\",\"x\":\"" + String(repeating: "y", count: 300_000) + "\"}"
        do {
            _ = try parse(big)
            Issue.record("accepted an event over the size limit")
        } catch {
            #expect(error.problem.contains("over the 262144-byte limit"))
        }
    }

    @Test(
        "RFC 3339 and epoch timestamps",
        arguments: [
            ("\"1970-01-01T00:00:00Z\"", Int64(0)),
            ("\"2026-11-29T00:12:03.25Z\"", Int64(1_795_911_123_250)),
            ("\"2026-11-29T01:12:03+01:00\"", Int64(1_795_911_123_000)),
            ("\"2024-02-29t23:59:59.999-00:30\"", Int64(1_709_252_999_999)),
            ("1800000000", Int64(1_800_000_000_000)),
            ("1800000000123", Int64(1_800_000_000_123)),
            ("1800000000.5", Int64(1_800_000_000_500)),
        ])
    func timestamps(value: String, millis: Int64) throws {
        #expect(try parse("{\"source\":\"a\",\"timestamp\":\(value)}").events[0].timestampMillis == millis)
    }

    @Test("impossible dates are refused", arguments: ["2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00"])
    func badDates(text: String) {
        #expect(RFC3339.millis(text) == nil)
    }
}
