import Foundation
import GauntletCore

/// Writes a run's files: `summary.json`, the per-second `timeseries.jsonl` and `intervals.jsonl`
/// (sparse per-second histograms per type and phase, from which `.hlog` files are made).
public enum ResultsWriter {
    public static func write(_ result: RunResult, to directory: String) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let url = URL(fileURLWithPath: directory)
        try result.summary.encoded().write(to: url.appendingPathComponent("summary.json"))
        let encoder = lineEncoder()
        var series = Data()
        for point in result.timeSeries {
            series.append(try encoder.encode(point))
            series.append(0x0A)
        }
        try series.write(to: url.appendingPathComponent("timeseries.jsonl"))
        // Streamed during the run when DriverOptions.intervalsPath pointed here; otherwise written now.
        let intervalsURL = url.appendingPathComponent("intervals.jsonl")
        if !result.intervals.isEmpty || !manager.fileExists(atPath: intervalsURL.path) {
            var intervals = Data()
            for interval in result.intervals {
                intervals.append(try encoder.encode(interval))
                intervals.append(0x0A)
            }
            try intervals.write(to: intervalsURL)
        }
    }

    /// One JSON object per line, snake_case keys (timeseries.jsonl, intervals.jsonl).
    public static func lineEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
