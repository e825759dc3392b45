import Foundation

/// Why a batch was refused, naming the NDJSON line (1-based) or JSON array index (0-based) and the problem.
public struct EventBatchError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Location: Equatable, Sendable {
        case line(Int)
        case index(Int)
        case body
    }

    public let location: Location
    public let problem: String

    public var description: String {
        switch location {
        case .line(let n): return "line \(n): \(problem)"
        case .index(let n): return "index \(n): \(problem)"
        case .body: return problem
        }
    }
}

/// Splits a request body into events and validates each: a JSON object no larger than `maxEventBytes`, with a
/// `source` string and a `timestamp` (RFC 3339 string or epoch seconds/milliseconds; the receive time if absent).
public enum EventBatchParser {
    public enum Format: Sendable {
        case ndjson
        case jsonArray
    }

    public struct Limits: Sendable {
        public var maxEventBytes: Int
        public var maxEvents: Int
        public var maxSourceBytes = 256

        public init(maxEventBytes: Int = 256 * 1024, maxEvents: Int = 100_000) {
            self.maxEventBytes = maxEventBytes
            self.maxEvents = maxEvents
        }
    }

    public static func parse(_ body: [UInt8], format: Format, limits: Limits = Limits(), now: Date = Date()) throws(EventBatchError) -> EventBatch {
        let nowMillis = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        let events: [EventBatch.Event]
        switch format {
        case .ndjson: events = try parseNDJSON(body, limits: limits, nowMillis: nowMillis)
        case .jsonArray: events = try parseArray(body, limits: limits, nowMillis: nowMillis)
        }
        guard !events.isEmpty else { throw EventBatchError(location: .body, problem: "the batch holds no events") }
        return EventBatch(body: body, events: events)
    }

    private static func parseNDJSON(_ body: [UInt8], limits: Limits, nowMillis: Int64) throws(EventBatchError) -> [EventBatch.Event] {
        var events: [EventBatch.Event] = []
        var failure: EventBatchError?
        body.withUnsafeBufferPointer { bytes in
            var lineStart = 0
            var line = 0
            while lineStart < bytes.count {
                line += 1
                var lineEnd = lineStart
                while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
                defer { lineStart = lineEnd + 1 }
                var scanner = EventJSONScanner(bytes, from: lineStart, to: lineEnd)
                scanner.skipWhitespace()
                if scanner.atEnd { continue }  // blank lines are allowed, as most NDJSON readers do
                do throws(EventJSONScanner.ScanError) {
                    events.append(try event(&scanner, wholeLine: true, limits: limits, nowMillis: nowMillis))
                    guard events.count <= limits.maxEvents else {
                        failure = EventBatchError(location: .line(line), problem: "more than \(limits.maxEvents) events in one batch")
                        return
                    }
                } catch {
                    failure = EventBatchError(location: .line(line), problem: error.problem + " (column \(error.position - lineStart + 1))")
                    return
                }
            }
        }
        if let failure { throw failure }
        return events
    }

    private static func parseArray(_ body: [UInt8], limits: Limits, nowMillis: Int64) throws(EventBatchError) -> [EventBatch.Event] {
        var events: [EventBatch.Event] = []
        var failure: EventBatchError?
        body.withUnsafeBufferPointer { bytes in
            var scanner = EventJSONScanner(bytes, from: 0, to: bytes.count)
            scanner.skipWhitespace()
            guard scanner.peek() == UInt8(ascii: "[") else {
                failure = EventBatchError(location: .body, problem: "expected a JSON array of events, found \(scanner.describeHere())")
                return
            }
            scanner.position += 1
            scanner.skipWhitespace()
            if scanner.peek() == UInt8(ascii: "]") {
                scanner.position += 1
            } else {
                var index = 0
                while true {
                    do throws(EventJSONScanner.ScanError) {
                        events.append(try event(&scanner, wholeLine: false, limits: limits, nowMillis: nowMillis))
                    } catch {
                        failure = EventBatchError(location: .index(index), problem: error.problem + " (byte \(error.position + 1))")
                        return
                    }
                    guard events.count <= limits.maxEvents else {
                        failure = EventBatchError(location: .index(index), problem: "more than \(limits.maxEvents) events in one batch")
                        return
                    }
                    scanner.skipWhitespace()
                    if scanner.peek() == UInt8(ascii: ",") {
                        scanner.position += 1
                        index += 1
                        continue
                    }
                    if scanner.peek() == UInt8(ascii: "]") {
                        scanner.position += 1
                        break
                    }
                    failure = EventBatchError(
                        location: .index(index), problem: "expected ',' or ']' after the event, found \(scanner.describeHere()) (byte \(scanner.position + 1))")
                    return
                }
            }
            scanner.skipWhitespace()
            if !scanner.atEnd {
                failure = EventBatchError(location: .body, problem: "unexpected \(scanner.describeHere()) after the array (byte \(scanner.position + 1))")
            }
        }
        if let failure { throw failure }
        return events
    }

    /// Scans one event object at the scanner's position and validates its fields.
    private static func event(
        _ scanner: inout EventJSONScanner, wholeLine: Bool, limits: Limits, nowMillis: Int64
    ) throws(EventJSONScanner.ScanError) -> EventBatch.Event {
        scanner.skipWhitespace()
        let start = scanner.position
        let fields = try scanner.scanEventObject()
        let range = start..<scanner.position
        if wholeLine {
            scanner.skipWhitespace()
            if !scanner.atEnd { throw scanner.fail("unexpected \(scanner.describeHere()) after the event object") }
        }
        guard range.count <= limits.maxEventBytes else {
            throw EventJSONScanner.ScanError(position: start, problem: "event is \(range.count) bytes, over the \(limits.maxEventBytes)-byte limit")
        }
        let source: String
        switch fields.source {
        case .none: throw EventJSONScanner.ScanError(position: start, problem: "missing \"source\"")
        case .string(let value) where !value.isEmpty && value.utf8.count <= limits.maxSourceBytes: source = value
        case .string(let value) where value.isEmpty: throw EventJSONScanner.ScanError(position: start, problem: "\"source\" is empty")
        case .string: throw EventJSONScanner.ScanError(position: start, problem: "\"source\" is longer than \(limits.maxSourceBytes) bytes")
        case .number: throw EventJSONScanner.ScanError(position: start, problem: "\"source\" must be a string, found a number")
        case .other(let kind): throw EventJSONScanner.ScanError(position: start, problem: "\"source\" must be a string, found \(kind)")
        }
        let timestamp: Int64
        switch fields.timestamp {
        case .none, .other("null"): timestamp = nowMillis
        case .string(let text):
            guard let millis = RFC3339.millis(text) else {
                throw EventJSONScanner.ScanError(position: start, problem: "\"timestamp\" \"\(text.prefix(64))\" is not an RFC 3339 date-time")
            }
            timestamp = millis
        case .number(let value):
            guard value.isFinite, value >= 0, value < 253_402_300_800_000 else {
                throw EventJSONScanner.ScanError(position: start, problem: "\"timestamp\" \(value) is not epoch seconds or milliseconds")
            }
            timestamp = value < 100_000_000_000 ? Int64((value * 1000).rounded(.down)) : Int64(value.rounded(.down))
        case .other(let kind):
            throw EventJSONScanner.ScanError(position: start, problem: "\"timestamp\" must be a string or a number, found \(kind)")
        }
        return EventBatch.Event(range: range, timestampMillis: timestamp, source: source)
    }
}

/// RFC 3339 date-times (`2026-11-29T00:12:03.25Z`, `…+01:00`) to epoch milliseconds, without a formatter.
enum RFC3339 {
    static func millis(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func digits(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= b.count else { return nil }
            var value = 0
            for i in at..<at + count {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                value = value * 10 + Int(b[i] - 0x30)
            }
            return value
        }
        guard b.count >= 20,
            let year = digits(0, 4), b[4] == UInt8(ascii: "-"), let month = digits(5, 2), b[7] == UInt8(ascii: "-"),
            let day = digits(8, 2), [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(b[10]),
            let hour = digits(11, 2), b[13] == UInt8(ascii: ":"), let minute = digits(14, 2), b[16] == UInt8(ascii: ":"),
            let second = digits(17, 2),
            (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60, second <= 60
        else { return nil }
        var i = 19
        var fractionMillis = 0
        if i < b.count && b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 100
            let start = i
            while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
                fractionMillis += Int(b[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        var offsetSeconds = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard let oh = digits(i + 1, 2), b.count > i + 3, b[i + 3] == UInt8(ascii: ":"), let om = digits(i + 4, 2), oh < 24, om < 60 else {
                return nil
            }
            offsetSeconds = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        default: return nil
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetSeconds
        return Int64(seconds) * 1000 + Int64(fractionMillis)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
