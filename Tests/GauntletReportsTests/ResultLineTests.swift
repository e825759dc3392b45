import Foundation
import Testing
@testable import GauntletCore
@testable import GauntletReports

/// The fast readers of `intervals.jsonl` and `timeseries.jsonl` against JSONDecoder: the same values for what Gauntlet writes,
/// and nil (JSONDecoder's turn) for anything else.
@Suite struct ResultLineTests {
    static func encoded(_ interval: IntervalHistograms) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(interval)
    }

    static func parse(_ text: String) -> IntervalHistograms? {
        Data(text.utf8).withUnsafeBytes(ResultLine.interval)
    }

    @Test("reads what the results writer writes, extremes included or not")
    func roundTrip() throws {
        let lines = [
            IntervalHistograms(
                index: 599, type: .api, phase: "steady",
                corrected: SparseHistogram(values: [1, 2_048, 18_446_744_073_709_551_615], counts: [3, 1, 7], min: 1, max: 18_446_744_073_709_551_615),
                service: SparseHistogram(values: [], counts: [])),
            IntervalHistograms(index: 0, type: .upload, phase: "warm up", corrected: SparseHistogram(values: [5], counts: [2]), service: SparseHistogram(values: [4], counts: [2], min: 4, max: 4)),
        ]
        for line in lines {
            let data = try Self.encoded(line)
            #expect(data.withUnsafeBytes(ResultLine.interval) == line)
        }
    }

    @Test("leaves every other line to JSONDecoder", arguments: [
        #"{"corrected":{"counts":[1],"values":[1]},"index":0,"phase":"a\"b","service":{"counts":[],"values":[]},"type":"api"}"#,
        #"{"corrected":{"counts":[1],"values":[1]},"index":0,"phase":"p","service":{"counts":[],"values":[]},"type":"api","extra":1}"#,
        #"{"corrected":{"counts":[1],"values":[1.5]},"index":0,"phase":"p","service":{"counts":[],"values":[]},"type":"api"}"#,
        #"{"corrected":{"counts":[1,2],"values":[1]},"index":0,"phase":"p","service":{"counts":[],"values":[]},"type":"api"}"#,
        #"{"corrected":{"counts":[1],"values":[1]},"index":0,"phase":"p","service":{"counts":[],"values":[]},"type":"nope"}"#,
        #"{"corrected":{"counts":[1],"values":[1]},"index":-1,"phase":"p","service":{"counts":[],"values":[]},"type":"api"}"#,
        #"{"corrected":{"counts":[1],"values":[1]},"index":0,"phase":"p","type":"api"}"#,
        #"{"corrected":{"counts":[1],"values":[99999999999999999999]},"index":0,"phase":"p","service":{"counts":[],"values":[]},"type":"api"}"#,
        #"{"corrected":{"counts":[1],"values":[1]},"index":0,"phase":"p","service":{"counts":[],"values":[]},"type":"api"} x"#,
    ])
    func fallsBack(line: String) {
        #expect(Self.parse(line) == nil)
    }

    @Test("a bad line is still reported at its file and line")
    func badLineLocated() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("interval-line-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let good = String(decoding: try Self.encoded(IntervalHistograms(index: 1, type: .ui, phase: "p", corrected: .init(values: [3], counts: [1]), service: .init(values: [2], counts: [1]))), as: UTF8.self)
        let path = directory + "/intervals.jsonl"
        try (good + "\n" + #"{"index":"two"}"# + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            _ = try RunFiles.intervalLines(at: path)
        } throws: { error in
            (error as? ReportError)?.file == path + ":2"
        }
    }

    @Test("time-series points: the same values as JSONDecoder, missing optionals included")
    func timeSeriesPoints() throws {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let points = [
            TimeSeriesPoint(second: 7, type: .api, count: 312, ok: 300, failed: 12, rejected: 0, intendedRate: 312.5, p50: 0.0031, p99: 1.0e-05, max: 12.25),
            TimeSeriesPoint(second: 0, type: .upload, count: 0, ok: 0, failed: 0, rejected: 3, intendedRate: nil, p50: nil, p99: nil, max: nil),
            TimeSeriesPoint(second: 1, type: .ui, count: 1, ok: 1, failed: 0, rejected: 0, intendedRate: 1.0 / 3.0, p50: 0.1 + 0.2, p99: 2.5e-7, max: 0.3),
        ]
        for point in points {
            let data = try encoder.encode(point)
            let fast = data.withUnsafeBytes(ResultLine.timeSeriesPoint)
            #expect(fast == point)
            #expect(fast == (try decoder.decode(TimeSeriesPoint.self, from: data)))
        }
        let odd = #"{"count":1,"failed":0,"ok":1,"p50":null,"rejected":0,"second":1,"type":"ui"}"#
        #expect(Data(odd.utf8).withUnsafeBytes(ResultLine.timeSeriesPoint) == nil)
    }
}
