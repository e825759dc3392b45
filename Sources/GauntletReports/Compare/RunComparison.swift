import Foundation
import GauntletCore

/// `gauntlet compare`: the figures of a candidate's runs against a baseline's.
///
/// A metric regresses when two things hold: the change is beyond the rule's tolerance (the smallest
/// change worth failing a build for), and it is beyond the noise with the gate's confidence (it would
/// rarely appear between two runs of the same build). The noise is the runs' own spread when each side
/// has several runs, and only the sampling noise within each run when a side has one (see
/// ``MetricEvidence``). Only the metrics `--fail-on` names fail the gate; the rest are reported.
///
/// The within-run rank test on whole distributions (``RankTest``) never fails the gate: it treats a run's
/// requests as independent samples, so with hundreds of them it calls any two runs different.
public enum RunComparison {
    /// What fails the gate by default: the medians and p99s of latency, the error rate and misroutes.
    public static let defaultFailOn = ["latency.*.p50", "latency.*.p99", "errors.rate", "routing.misroutes"]

    /// The confidence a change must reach to fail the gate (one-sided), by default.
    public static let defaultConfidence = 0.99

    /// Runs per side the gate is designed for (and `scripts/ci-compare.sh` runs): enough for a t-test over
    /// runs to have degrees of freedom to spare. `scripts/bench/compare-calibration.sh` measures its false
    /// alarms and its detection of a 10% slower UI backend; the README's CI section states the figures.
    public static let recommendedRuns = 3

    /// The metrics compared by default for runs that drive `types`.
    public static func defaultMetrics(types: [RequestType], hasUpload: Bool) -> [String] {
        var metrics: [String] = []
        for type in types {
            metrics += ["p50", "p90", "p99", "p99.9"].map { "latency.\(type.rawValue).\($0)" }
            metrics += ["service_time.\(type.rawValue).p99", "errors.\(type.rawValue).rate", "requests.\(type.rawValue).rate"]
        }
        metrics += ["latency.all.p50", "latency.all.p99", "errors.rate", "routing.misroutes", "auth.login.p50", "auth.login.p99", "auth.lb.p99"]
        if hasUpload { metrics += ["upload.events_per_second", "upload.freshness.p99"] }
        return metrics
    }

    /// Runs with their interval logs: the per-metric verdicts, plus the rank test per request type on the
    /// whole latency distributions (reported, never gating) when both sides have `intervals.jsonl`.
    public static func compare(
        baseline: [RunFiles], candidate: [RunFiles], rules: [ComparisonRule] = [], metrics: [String]? = nil,
        failOn: [String] = defaultFailOn, confidence: Double = defaultConfidence
    ) -> ComparisonReport {
        var report = compare(baseline: baseline.map(\.summary), candidate: candidate.map(\.summary), rules: rules, metrics: metrics,
                             failOn: failOn, confidence: confidence)
        if metrics == nil { report.rankTests = RankTest.compare(baseline: baseline, candidate: candidate) }
        return report
    }

    public static func compare(
        baseline: [RunSummary], candidate: [RunSummary], rules: [ComparisonRule] = [], metrics: [String]? = nil,
        failOn: [String] = defaultFailOn, confidence: Double = defaultConfidence
    ) -> ComparisonReport {
        let types = Array(Set(baseline.flatMap { $0.requestTypes.map(\.type) } + candidate.flatMap { $0.requestTypes.map(\.type) })).sorted()
        let hasUpload = (baseline + candidate).contains { $0.upload != nil }
        let names = metrics ?? defaultMetrics(types: types, hasUpload: hasUpload)
        let allRules = rules + ComparisonRule.defaults
        let gates = failOn.map { ComparisonRule(pattern: $0, relative: 0, absolute: 0) }
        var rows: [MetricComparison] = []
        for metric in names {
            let before = baseline.compactMap { $0.value(of: metric) }
            let after = candidate.compactMap { $0.value(of: metric) }
            if before.isEmpty && after.isEmpty { continue }
            let rule = allRules.first { $0.matches(metric) } ?? ComparisonRule(pattern: "*", relative: 0.1, absolute: 0)
            var row = MetricComparison(metric: metric, kind: MetricCatalog.kind(of: metric) ?? .number,
                                       lowerIsBetter: MetricComparison.lowerIsBetter(metric), baseline: before, candidate: after,
                                       rule: rule, tolerance: 0, verdict: .missing)
            row.gating = gates.contains { $0.matches(metric) }
            row.evidence = MetricEvidence.gather(metric, baseline: baseline, candidate: candidate)
            if let tailSamples = MetricComparison.tailSamples(metric, baseline + candidate), tailSamples < MetricComparison.minimumTailSamples {
                row.verdict = .inconclusive
            } else if let evidence = row.evidence, let worsening = row.worsening, let worse = row.confidenceWorse {
                row.tolerance = max(rule.relative * abs(evidence.baseline), rule.absolute)
                if worsening > row.tolerance && worse >= confidence {
                    row.verdict = .regression
                } else if -worsening > row.tolerance && 1 - worse >= confidence {
                    row.verdict = .improvement
                } else {
                    row.verdict = .unchanged
                }
            }
            rows.append(row)
        }
        return ComparisonReport(baselineRuns: baseline.count, candidateRuns: candidate.count, rows: rows,
                                baselineName: baseline.first?.scenario.name ?? "baseline", candidateName: candidate.first?.scenario.name ?? "candidate",
                                failOn: failOn, confidence: confidence)
    }
}
