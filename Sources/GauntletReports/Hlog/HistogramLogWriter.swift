import Foundation
import Histogram

/// Writes HdrHistogram interval logs (format version 1.3), the `.hlog` files HdrHistogram's tools
/// read (`HistogramLogProcessor`, Python's `hdrh.log.HistogramLogReader`, HdrHistogramVisualizer).
///
/// ```
/// #[Histogram log format version 1.3]
/// #[StartTime: 1764374400.000 (seconds since epoch), 2025-11-29T00:00:00Z]
/// #[BaseTime: 1764374400.000 (seconds since epoch)]
/// "StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"
/// Tag=ui.steady,0.000,1.000,12.345,HISTFAAAA…
/// ```
///
/// Interval start times are relative to BaseTime; `Interval_Max` is the interval's largest value
/// divided by `maxValueUnitRatio` (Java's default 1e6 turns nanoseconds into milliseconds; Gauntlet
/// records microseconds, so it uses 1e3 to print milliseconds). Pure: the text is returned, not written.
public struct HistogramLogWriter: Sendable {
    public var startTime: Double
    public var baseTime: Double
    public var maxValueUnitRatio: Double
    public private(set) var text = ""

    public init(startTime: Double, baseTime: Double? = nil, maxValueUnitRatio: Double = 1000, comments: [String] = []) {
        self.startTime = startTime
        self.baseTime = baseTime ?? startTime
        self.maxValueUnitRatio = maxValueUnitRatio
        for comment in comments { text += "#\(comment)\n" }
        text += "#[Histogram log format version 1.3]\n"
        text += "#[StartTime: \(Self.fixed3(startTime)) (seconds since epoch), \(Self.isoSeconds(startTime))]\n"
        text += "#[BaseTime: \(Self.fixed3(self.baseTime)) (seconds since epoch)]\n"
        text += "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n"
    }

    /// Appends one interval. `start` and `end` are epoch seconds; `tag` must not hold commas, spaces or
    /// line breaks (HdrHistogram's rule), so such characters are replaced by `_`.
    public mutating func append<Count>(_ histogram: Histogram<Count>, start: Double, end: Double, tag: String? = nil) {
        var line = ""
        if let tag, !tag.isEmpty {
            line += "Tag=\(String(tag.map { ", \n\r\t".contains($0) ? "_" : $0 })),"
        }
        let maxValue = histogram.totalCount == 0 ? 0 : Double(histogram.max) / maxValueUnitRatio
        line += "\(Self.fixed3(start - baseTime)),\(Self.fixed3(end - start)),\(Self.fixed3(maxValue)),"
        line += HistogramEncoding.base64(histogram)
        text += line + "\n"
    }

    static func fixed3(_ value: Double) -> String {
        String(format: "%.3f", value)
    }

    static func isoSeconds(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}

/// Reads interval logs back: the tagged intervals with their histograms.
public struct HistogramLogReader: Sendable {
    public struct Interval: Sendable {
        public var tag: String?
        /// Epoch seconds (BaseTime + the line's start timestamp).
        public var start: Double
        public var length: Double
        public var histogram: Histogram<UInt64>
    }

    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    public private(set) var intervals: [Interval] = []
    public private(set) var startTime: Double?
    public private(set) var baseTime: Double?

    public init(text: String) throws(Failure) {
        var number = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("\"StartTimestamp\"") { continue }
            if line.hasPrefix("#[StartTime: ") {
                startTime = Double(line.dropFirst(13).prefix { $0 != " " })
                continue
            }
            if line.hasPrefix("#[BaseTime: ") {
                baseTime = Double(line.dropFirst(12).prefix { $0 != " " })
                continue
            }
            if line.hasPrefix("#") { continue }
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            var tag: String?
            if fields.first?.hasPrefix("Tag=") == true {
                tag = String(fields.removeFirst().dropFirst(4))
            }
            guard fields.count == 4, let start = Double(fields[0]), let length = Double(fields[1]) else {
                throw Failure(line: number, message: "expected [Tag=…,]start,length,max,histogram")
            }
            let histogram: Histogram<UInt64>
            do {
                histogram = try HistogramEncoding.decode(base64: fields[3])
            } catch {
                throw Failure(line: number, message: error.message)
            }
            intervals.append(Interval(tag: tag, start: (baseTime ?? startTime ?? 0) + start, length: length, histogram: histogram))
        }
    }

    /// Every interval with `tag` added into one histogram.
    public func merged(tag: String?) -> Histogram<UInt64>? {
        var result: Histogram<UInt64>?
        for interval in intervals where interval.tag == tag {
            if result == nil {
                result = interval.histogram
            } else {
                result?.add(interval.histogram)
            }
        }
        return result
    }
}
