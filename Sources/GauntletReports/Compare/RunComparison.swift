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
    public var baseline: [Double]
    public var candidate: [Double]
    public var rule: ComparisonRule
    /// The tolerance band from the rule, in the metric's unit.
    public var tolerance: Double
    /// The run-to-run noise allowance added to it: half the sides' mean range (0 with one run each).
    public var noise: Double = 0
    public var verdict: Verdict

    public var baselineMedian: Double? { Self.median(baseline) }
    public var candidateMedian: Double? { Self.median(candidate) }

    /// Relative change of the medians (0.2 = 20% higher), nil when the baseline is 0 or missing.
    public var change: Double? {
        guard let b = baselineMedian, let c = candidateMedian, b != 0 else { return nil }
        return c / b - 1
    }

    static func range(_ values: [Double]) -> Double {
        guard let low = values.min(), let high = values.max() else { return 0 }
        return high - low
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// The sampling uncertainty of a percentile's difference between the sides: each side's percentile
    /// has a confidence band from its sample count (the rank of the p-quantile among n samples varies by
    /// about √(n·p·(1−p)); two of those each way, read off the side's own percentile curve), divided by
    /// √runs; the two sides' half-widths add in quadrature. 0 for metrics that are not percentiles.
    static func samplingNoise(_ metric: String, baseline: [RunSummary], candidate: [RunSummary]) -> Double {
        let parts = metric.split(separator: ".", maxSplits: 2).map(String.init)
        guard parts.count == 3, let p = percentile(parts[2]) else { return 0 }
        let prefix = "\(parts[0]).\(parts[1])"
        func halfWidth(_ runs: [RunSummary]) -> Double {
            let widths = runs.compactMap { figures(prefix, in: $0).map { quantileHalfWidth($0, p) } }
            guard let middle = median(widths) else { return 0 }
            return middle / Double(widths.count).squareRoot()
        }
        let b = halfWidth(baseline), c = halfWidth(candidate)
        return (b * b + c * c).squareRoot()
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

/// `gauntlet compare`: the figures of a candidate's runs against a baseline's, with explicit rules.
///
/// Sides are compared by their medians. A metric regresses when the candidate's median is worse than
/// the baseline's by more than the rule's tolerance (the larger of relative × baseline median and the
/// absolute floor) plus a noise allowance: half the mean of the two sides' run-to-run ranges. With one
/// run per side there is no allowance; with several, the spread the runs themselves show widens the
/// band, so runs of the same build on a noisy machine do not cry wolf while a consistent shift shows.
public enum RunComparison {
    /// The metrics compared by default for runs that drive `types`.
    public static func defaultMetrics(types: [RequestType], hasUpload: Bool) -> [String] {
        var metrics: [String] = []
        for type in types {
            metrics += ["p50", "p90", "p99", "p99.9"].map { "latency.\(type.rawValue).\($0)" }
            metrics += ["service_time.\(type.rawValue).p99", "errors.\(type.rawValue).rate", "requests.\(type.rawValue).rate"]
        }
        metrics += ["latency.all.p99", "errors.rate", "routing.misroutes", "auth.login.p50", "auth.login.p99", "auth.lb.p99"]
        if hasUpload { metrics += ["upload.events_per_second", "upload.freshness.p99"] }
        return metrics
    }

    /// Runs with their interval logs: the per-metric rules, plus a rank test per request type on the
    /// whole latency distributions when both sides have `intervals.jsonl`.
    public static func compare(
        baseline: [RunFiles], candidate: [RunFiles], rules: [ComparisonRule] = [], metrics: [String]? = nil
    ) -> ComparisonReport {
        var report = compare(baseline: baseline.map(\.summary), candidate: candidate.map(\.summary), rules: rules, metrics: metrics)
        if metrics == nil { report.rankTests = RankTest.compare(baseline: baseline, candidate: candidate) }
        return report
    }

    public static func compare(
        baseline: [RunSummary], candidate: [RunSummary], rules: [ComparisonRule] = [], metrics: [String]? = nil
    ) -> ComparisonReport {
        let types = Array(Set(baseline.flatMap { $0.requestTypes.map(\.type) } + candidate.flatMap { $0.requestTypes.map(\.type) })).sorted()
        let hasUpload = (baseline + candidate).contains { $0.upload != nil }
        let names = metrics ?? defaultMetrics(types: types, hasUpload: hasUpload)
        let allRules = rules + ComparisonRule.defaults
        var rows: [MetricComparison] = []
        for metric in names {
            let before = baseline.compactMap { $0.value(of: metric) }
            let after = candidate.compactMap { $0.value(of: metric) }
            if before.isEmpty && after.isEmpty { continue }
            let rule = allRules.first { $0.matches(metric) } ?? ComparisonRule(pattern: "*", relative: 0.1, absolute: 0)
            let kind = MetricCatalog.kind(of: metric) ?? .number
            let lower = MetricComparison.lowerIsBetter(metric)
            var row = MetricComparison(metric: metric, kind: kind, lowerIsBetter: lower, baseline: before, candidate: after,
                                       rule: rule, tolerance: 0, verdict: .missing)
            if let tailSamples = MetricComparison.tailSamples(metric, baseline + candidate), tailSamples < MetricComparison.minimumTailSamples {
                row.verdict = .inconclusive
            } else if let before = row.baselineMedian, let after = row.candidateMedian {
                let tolerance = max(rule.relative * abs(before), rule.absolute)
                row.tolerance = tolerance
                let spread = (MetricComparison.range(row.baseline) + MetricComparison.range(row.candidate)) / 4
                let sampling = MetricComparison.samplingNoise(metric, baseline: baseline, candidate: candidate)
                row.noise = max(spread, sampling)
                let worsening = lower ? after - before : before - after
                if worsening > tolerance + row.noise {
                    row.verdict = .regression
                } else if -worsening > tolerance + row.noise {
                    row.verdict = .improvement
                } else {
                    row.verdict = .unchanged
                }
            }
            rows.append(row)
        }
        return ComparisonReport(baselineRuns: baseline.count, candidateRuns: candidate.count, rows: rows,
                                baselineName: baseline.first?.scenario.name ?? "baseline", candidateName: candidate.first?.scenario.name ?? "candidate")
    }
}

/// The outcome of `compare`: every metric's row, the verdict, a table for terminals and JUnit for CI.
public struct ComparisonReport: Sendable, Equatable {
    public var baselineRuns: Int
    public var candidateRuns: Int
    public var rows: [MetricComparison]
    public var baselineName: String
    public var candidateName: String
    /// Distribution-wide rank tests per request type (empty without interval logs on both sides).
    public var rankTests: [RankTest.Result] = []

    public var regressions: [MetricComparison] { rows.filter { $0.verdict == .regression } }
    public var improvements: [MetricComparison] { rows.filter { $0.verdict == .improvement } }
    public var rankRegressions: [RankTest.Result] { rankTests.filter { $0.verdict == .regression } }
    public var passed: Bool { regressions.isEmpty && rankRegressions.isEmpty }

    static func format(_ value: Double?, _ kind: MetricCatalog.Kind) -> String {
        guard let value else { return "–" }
        return Threshold.format(value, kind)
    }

    static func spread(_ values: [Double], _ kind: MetricCatalog.Kind) -> String {
        guard values.count > 1, let low = values.min(), let high = values.max() else { return format(values.first, kind) }
        return "\(format(MetricComparison.median(values), kind)) [\(format(low, kind))–\(format(high, kind))]"
    }

    /// The figures that changed (all of them with `all`), as an aligned plain-text table.
    public func table(all: Bool = false) -> String {
        let inconclusive = rows.filter { $0.verdict == .inconclusive }.count
        var lines = ["compare: \(baselineRuns) baseline run(s) vs \(candidateRuns) candidate run(s); \(regressions.count + rankRegressions.count) regression(s), \(improvements.count) improvement(s), \(rows.count) metrics compared"
            + (inconclusive > 0 ? " (\(inconclusive) tail percentiles had too few samples to compare)" : "")]
        for rank in rankTests where all || rank.verdict != .unchanged {
            lines.append("latency.\(rank.type.rawValue) distribution: P(candidate slower) = \(ChartFormat.trim(rank.effect, 3)), z = \(ChartFormat.trim(rank.z, 1))"
                + " over \(rank.baselineCount) vs \(rank.candidateCount) requests — \(rank.verdict == .regression ? "REGRESSION" : rank.verdict.rawValue)")
        }
        let shown = all ? rows : rows.filter { $0.verdict == .regression || $0.verdict == .improvement }
        guard !shown.isEmpty else {
            lines.append("no metric changed beyond its tolerance")
            return lines.joined(separator: "\n") + "\n"
        }
        var table = [["metric", "baseline", "candidate", "change", "tolerance", "verdict"]]
        for row in shown {
            let change = row.change.map { ($0 >= 0 ? "+" : "") + ChartFormat.trim($0 * 100, 1) + "%" } ?? "–"
            table.append([row.metric, Self.spread(row.baseline, row.kind), Self.spread(row.candidate, row.kind), change,
                          "±" + Self.format(row.tolerance + row.noise, row.kind), row.verdict == .regression ? "REGRESSION" : row.verdict.rawValue])
        }
        let widths = table[0].indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        for row in table {
            lines.append(row.enumerated().map { column, cell in cell.padding(toLength: widths[column], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One test case per compared metric; regressions fail with both sides' figures.
    public var junit: String {
        let cases = rows.map { row -> JUnitReport.TestCase in
            let figures = "baseline \(Self.spread(row.baseline, row.kind)), candidate \(Self.spread(row.candidate, row.kind)), tolerance ±\(Self.format(row.tolerance, row.kind)) (rule \(row.rule.pattern)) + noise \(Self.format(row.noise, row.kind))"
            let outcome: JUnitReport.Outcome = switch row.verdict {
            case .regression: .failed(message: "\(row.metric) regressed: \(figures)", type: "regression", details: figures)
            case .missing: .skipped(message: "\(row.metric): only one side has a value")
            case .inconclusive: .skipped(message: "\(row.metric): too few samples beyond this percentile to compare")
            case .unchanged, .improvement: .passed
            }
            return JUnitReport.TestCase(classname: "gauntlet.compare", name: row.metric, outcome: outcome,
                                        systemOut: row.verdict == .regression ? nil : "\(row.verdict.rawValue): \(figures)")
        }
        let rankCases = rankTests.map { rank -> JUnitReport.TestCase in
            let figures = "P(candidate slower) = \(ChartFormat.trim(rank.effect, 3)), z = \(ChartFormat.trim(rank.z, 1)) over \(rank.baselineCount) vs \(rank.candidateCount) requests"
            return JUnitReport.TestCase(
                classname: "gauntlet.compare", name: "latency.\(rank.type.rawValue).distribution",
                outcome: rank.verdict == .regression ? .failed(message: "latency of \(rank.type.rawValue) shifted up: \(figures)", type: "regression", details: figures) : .passed,
                systemOut: rank.verdict == .regression ? nil : "\(rank.verdict.rawValue): \(figures)")
        }
        return JUnitReport(name: "gauntlet compare", suites: [
            JUnitReport.Suite(name: "\(candidateName) vs \(baselineName)", properties: [
                ("baseline.runs", String(baselineRuns)), ("candidate.runs", String(candidateRuns)),
            ], cases: cases + rankCases),
        ]).xml
    }
}
