import Foundation
import GauntletCore

/// Adds shards' per-second series (`timeseries.jsonl`) and interval histograms (`intervals.jsonl`), one
/// shard at a time, each shifted by its start's offset from the earliest shard's. Holds one merged run's
/// worth of sparse histograms, however many shards are added.
struct SeriesMerge {
    private struct PointKey: Hashable {
        var second: Int
        var type: RequestType
    }

    private struct IntervalKey: Hashable {
        var second: Int
        var type: RequestType
        var phase: String
    }

    private var points: [PointKey: TimeSeriesPoint] = [:]
    private var intervals: [IntervalKey: (corrected: SparseHistogram, service: SparseHistogram)] = [:]

    mutating func add(directory: String, offset: Int) throws(ReportError) {
        let series = try RunFiles.timeSeriesLines(at: (directory as NSString).appendingPathComponent("timeseries.jsonl"))
        for point in series {
            let key = PointKey(second: point.second + offset, type: point.type)
            guard var merged = points[key] else {
                var shifted = point
                shifted.second = key.second
                points[key] = shifted
                continue
            }
            merged.count += point.count
            merged.ok += point.ok
            merged.failed += point.failed
            merged.rejected += point.rejected
            if let rate = point.intendedRate { merged.intendedRate = (merged.intendedRate ?? 0) + rate }
            points[key] = merged
        }
        let lines = try RunFiles.intervalLines(at: (directory as NSString).appendingPathComponent("intervals.jsonl"))
        for line in lines {
            let key = IntervalKey(second: line.index + offset, type: line.type, phase: line.phase)
            if let merged = intervals[key] {
                intervals[key] = (merged.corrected.adding(line.corrected), merged.service.adding(line.service))
            } else {
                intervals[key] = (line.corrected, line.service)
            }
        }
    }

    /// The merged series, in the order a single run writes them (by second, then type), with each second's
    /// percentiles taken from the merged interval histograms rather than from the shards' own.
    func finish(phases: [String]) -> ([TimeSeriesPoint], [IntervalHistograms]) {
        let phaseOrder = Dictionary(phases.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let intervalKeys = intervals.keys.sorted {
            ($0.second, $0.type.index, phaseOrder[$0.phase] ?? Int.max) < ($1.second, $1.type.index, phaseOrder[$1.phase] ?? Int.max)
        }
        var merged: [IntervalHistograms] = []
        merged.reserveCapacity(intervalKeys.count)
        var corrected: [PointKey: SparseHistogram] = [:]
        for key in intervalKeys {
            let histograms = intervals[key]!
            merged.append(IntervalHistograms(index: key.second, type: key.type, phase: key.phase, corrected: histograms.corrected, service: histograms.service))
            let point = PointKey(second: key.second, type: key.type)
            corrected[point] = corrected[point].map { $0.adding(histograms.corrected) } ?? histograms.corrected
        }
        let series = points.keys.sorted { ($0.second, $0.type.index) < ($1.second, $1.type.index) }.map { key -> TimeSeriesPoint in
            var point = points[key]!
            if let sparse = corrected[key], sparse.totalCount > 0 {
                let histogram = sparse.histogram()
                point.p50 = Double(histogram.valueAtPercentile(50)) / 1e6
                point.p99 = Double(histogram.valueAtPercentile(99)) / 1e6
                point.max = Double(histogram.max) / 1e6
            }
            return point
        }
        return (series, merged)
    }
}
