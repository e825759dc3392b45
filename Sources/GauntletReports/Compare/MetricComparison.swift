import Foundation
import GauntletCore

/// One metric compared across the two sides.
public struct MetricComparison: Sendable, Equatable {
    public enum Verdict: String, Sendable, Equatable {
        case regression, improvement, unchanged
        /// Only one side has a value (a request type one side did not drive).
        case missing
        /// A percentile too far in the tail for the samples behind it (fewer than
        /// `minimumTailSamples` beyond it on a side): any difference would be noise.
        case inconclusive
    }

    public var metric: String
    public var kind: MetricCatalog.Kind
    public var lowerIsBetter: Bool
    /// Each run's value, per side.
    public var baseline: [Double]
    public var candidate: [Double]
    public var rule: ComparisonRule
    /// The smallest change worth acting on, from the rule, in the metric's unit.
    public var tolerance: Double
    /// The size of the change, its noise and the confidence in it (nil when a side has no value).
    public var evidence: MetricEvidence?
    /// Whether a regression of this metric fails the gate (`--fail-on`); others are reported only.
    public var gating: Bool = true
    public var verdict: Verdict

    public var baselineMedian: Double? { Self.median(baseline) }
    public var candidateMedian: Double? { Self.median(candidate) }

    /// The standard error of the change, in the metric's unit (0 without evidence).
    public var noise: Double { evidence?.standardError ?? 0 }

    /// Relative change (0.2 = 20% higher), nil when the baseline is 0 or missing.
    public var change: Double? { evidence?.relative }

    /// How much worse the candidate is, in the metric's unit (negative: better).
    public var worsening: Double? { evidence.map { lowerIsBetter ? $0.difference : -$0.difference } }

    /// P(the candidate is truly worse) on the evidence.
    public var confidenceWorse: Double? { evidence.map { lowerIsBetter ? $0.confidenceHigher : 1 - $0.confidenceHigher } }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// A percentile is compared only when at least this many samples lie beyond it on every run.
    public static let minimumTailSamples = 5.0

    /// The fewest samples beyond the metric's percentile on any run (n × (1 − p)); nil for non-percentiles.
    static func tailSamples(_ metric: String, _ runs: [RunSummary]) -> Double? {
        let parts = metric.split(separator: ".", maxSplits: 2).map(String.init)
        guard parts.count == 3, let p = percentile(parts[2]) else { return nil }
        let counts = runs.compactMap { figures("\(parts[0]).\(parts[1])", in: $0)?.count }
        guard let fewest = counts.min() else { return nil }
        return Double(fewest) * (1 - p)
    }

    /// `p99.9` → 0.999; nil for statistics that are not percentiles.
    static func percentile(_ statistic: String) -> Double? {
        guard statistic.hasPrefix("p"), let value = Double(statistic.dropFirst()), value > 0, value < 100 else { return nil }
        return value / 100
    }

    /// The latency figures a metric prefix names (`latency.ui`, `auth.login`, `schedule.lag`, …).
    static func figures(_ prefix: String, in summary: RunSummary) -> LatencyPercentiles? {
        let parts = prefix.split(separator: ".").map(String.init)
        guard parts.count == 2 else { return nil }
        func scope(_ name: String) -> RequestStats? {
            name == "all" ? summary.all : RequestType(rawValue: name).flatMap { summary.stats(for: $0)?.total }
        }
        switch parts[0] {
        case "latency": return scope(parts[1])?.latency
        case "service_time": return scope(parts[1])?.serviceTime
        case "auth": return summary.auth.latency(of: parts[1])
        case "schedule": return parts[1] == "lag" ? summary.scheduleLag.lag : nil
        case "upload": return parts[1] == "freshness" ? summary.upload?.freshness : nil
        default: return nil
        }
    }

    /// Half the width of the ~95% band of the p-quantile, read off the distribution's known points.
    static func quantileHalfWidth(_ figures: LatencyPercentiles, _ p: Double) -> Double {
        guard figures.count > 0 else { return 0 }
        let delta = 2 * (p * (1 - p) / Double(figures.count)).squareRoot() + 0.5 / Double(figures.count)
        return (interpolate(figures, min(1, p + delta)) - interpolate(figures, max(0, p - delta))) / 2
    }

    /// The value at quantile q, interpolated between the known percentiles on HdrHistogram's
    /// percentile axis (x = −log10(1 − q)), where tails are close to straight.
    static func interpolate(_ figures: LatencyPercentiles, _ q: Double) -> Double {
        func x(_ q: Double) -> Double { -log10(max(1 - q, 1e-6)) }
        let points: [(Double, Double)] = [
            (0, figures.min), (0.5, figures.p50), (0.75, figures.p75), (0.9, figures.p90), (0.95, figures.p95),
            (0.99, figures.p99), (0.999, figures.p99_9), (0.9999, figures.p99_99), (1, figures.max),
        ]
        for (lower, upper) in zip(points, points.dropFirst()) where q <= upper.0 {
            let span = x(upper.0) - x(lower.0)
            return span > 0 ? lower.1 + (upper.1 - lower.1) * (x(q) - x(lower.0)) / span : upper.1
        }
        return figures.max
    }

    /// Rates, throughput and counts of good things are better higher; latency, errors, misroutes and lag lower.
    static func lowerIsBetter(_ metric: String) -> Bool {
        !(metric.hasPrefix("requests.") || metric == "upload.events_per_second" || metric == "upload.mb_per_second" || metric == "upload.events")
    }

    /// The unit a pattern's metrics are measured in (from the first catalog metric it matches).
    static func kind(ofPattern pattern: String) -> MetricCatalog.Kind {
        let rule = ComparisonRule(pattern: pattern, relative: 0, absolute: 0)
        return MetricCatalog.allNames.first(where: rule.matches).flatMap(MetricCatalog.kind(of:)) ?? .number
    }
}
