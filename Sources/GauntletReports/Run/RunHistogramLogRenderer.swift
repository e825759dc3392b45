import Foundation
import GauntletCore

/// The `.hlog` interval logs: one file for corrected latency and one for service time, one tag per
/// request type and phase (`ui/steady`), values in microseconds, `Interval_Max` in milliseconds.
public enum RunHistogramLogRenderer {
    public static func render(_ run: RunFiles, serviceTime: Bool = false) -> String {
        let start = run.startEpoch
        var writer = HistogramLogWriter(startTime: start, maxValueUnitRatio: 1000, comments: [
            "[Gauntlet \(run.summary.scenario.gauntletVersion) \(serviceTime ? "service time (from actual send)" : "latency (from intended send)"), microseconds; tags are type/phase]",
            "[Scenario: \(run.summary.scenario.name), seed \(run.summary.scenario.seed)]",
        ])
        for interval in run.intervals.sorted(by: { ($0.index, $0.tag) < ($1.index, $1.tag) }) {
            let sparse = serviceTime ? interval.service : interval.corrected
            guard sparse.totalCount > 0 else { continue }
            let begin = start + Double(interval.index)
            writer.append(sparse.histogram(), start: begin, end: begin + 1, tag: interval.tag)
        }
        return writer.text
    }
}
