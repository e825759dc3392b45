import Foundation
import GauntletCore

/// A problem reading or writing a results directory, naming the file.
public struct ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}

/// What `run` leaves in `results/<run>/` and every renderer reads: `summary.json`, and beside it the
/// per-second `timeseries.jsonl` and `intervals.jsonl` (sparse per-second histograms) when present.
public struct RunFiles: Sendable {
    public var directory: String
    public var summary: RunSummary
    public var timeSeries: [TimeSeriesPoint]
    public var intervals: [IntervalHistograms]

    public init(directory: String, summary: RunSummary, timeSeries: [TimeSeriesPoint] = [], intervals: [IntervalHistograms] = []) {
        self.directory = directory
        self.summary = summary
        self.timeSeries = timeSeries
        self.intervals = intervals
    }

    /// Loads a run from its directory, or from the path of its `summary.json`.
    public static func load(_ path: String) throws(ReportError) -> RunFiles {
        let (directory, summary) = try loadSummary(path)
        let timeSeries = try timeSeriesLines(at: (directory as NSString).appendingPathComponent("timeseries.jsonl"))
        let intervals = try intervalLines(at: (directory as NSString).appendingPathComponent("intervals.jsonl"))
        return RunFiles(directory: directory, summary: summary, timeSeries: timeSeries, intervals: intervals)
    }

    /// Loads only a run's `summary.json` (from its directory or the file's path), and says which directory it is in.
    public static func loadSummary(_ path: String) throws(ReportError) -> (directory: String, summary: RunSummary) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReportError(file: path, message: "no such run directory or summary.json")
        }
        let directory = isDirectory.boolValue ? path : (path as NSString).deletingLastPathComponent
        let summaryPath = isDirectory.boolValue ? (path as NSString).appendingPathComponent("summary.json") : path
        guard let data = FileManager.default.contents(atPath: summaryPath) else {
            throw ReportError(file: summaryPath, message: "missing: a results directory holds the summary.json that `gauntlet run` wrote")
        }
        let summary: RunSummary
        do {
            summary = try RunSummary.decode(data)
        } catch let error as DecodingError {
            throw ReportError(file: summaryPath, message: describe(error))
        } catch {
            throw ReportError(file: summaryPath, message: "\(error)")
        }
        return (directory, summary)
    }

    /// Decodes a JSON Lines file; a missing file is an empty list (older or partial runs), a bad line
    /// is an error with its number.
    static func jsonLines<Element: Decodable>(at path: String, fast: ((UnsafeRawBufferPointer) -> Element?)? = nil) throws(ReportError) -> [Element] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        var elements: [Element] = []
        var number = 0
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
            if let fast, let element = line.withUnsafeBytes(fast) {
                elements.append(element)
                continue
            }
            do {
                elements.append(try decoder.decode(Element.self, from: Data(line)))
            } catch let error as DecodingError {
                throw ReportError(file: "\(path):\(number)", message: describe(error))
            } catch {
                throw ReportError(file: "\(path):\(number)", message: "\(error)")
            }
        }
        return elements
    }

    /// `intervals.jsonl`, by the fast reader where a line has the shape Gauntlet writes.
    static func intervalLines(at path: String) throws(ReportError) -> [IntervalHistograms] {
        try jsonLines(at: path, fast: ResultLine.interval)
    }

    /// `timeseries.jsonl`, likewise.
    static func timeSeriesLines(at path: String) throws(ReportError) -> [TimeSeriesPoint] {
        try jsonLines(at: path, fast: ResultLine.timeSeriesPoint)
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])): missing"
        case .typeMismatch(let type, let context): return "\(path(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context): return "\(path(context.codingPath)): expected \(type), got null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON: \(context.debugDescription)" : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    /// The run's start in epoch seconds (from `started_at`), 0 when it cannot be read.
    public var startEpoch: Double {
        ISO8601Time.parse(summary.startedAt) ?? 0
    }
}
