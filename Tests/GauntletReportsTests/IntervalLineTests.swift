import Foundation
import Testing
@testable import GauntletCore
@testable import GauntletReports

/// The fast reader of `intervals.jsonl` against JSONDecoder: the same values for what Gauntlet writes,
/// and nil (JSONDecoder's turn) for anything else.
@Suite struct IntervalLineTests {
    static func encoded(_ interval: IntervalHistograms) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(interval)
    }

    static func parse(_ text: String) -> IntervalHistograms? {
        Data(text.utf8).withUnsafeBytes(IntervalLine.parse)
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
            #expect(data.withUnsafeBytes(IntervalLine.parse) == line)
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
}
