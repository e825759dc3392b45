import Foundation
import GauntletCore

/// The outcome of `compare`: every metric's row, the verdict, text for terminals, JUnit for CI and a
/// section for HTML, all saying the same thing in the same words.
public struct ComparisonReport: Sendable, Equatable {
    public var baselineRuns: Int
    public var candidateRuns: Int
    public var rows: [MetricComparison]
    public var baselineName: String
    public var candidateName: String
    /// The patterns of the metrics that fail the gate.
    public var failOn: [String] = RunComparison.defaultFailOn
    /// The confidence a change had to reach.
    public var confidence: Double = RunComparison.defaultConfidence
    /// Distribution-wide rank tests per request type (empty without interval logs on both sides); reported only.
    public var rankTests: [RankTest.Result] = []

    public var regressions: [MetricComparison] { rows.filter { $0.verdict == .regression && $0.gating } }
    /// Regressions of metrics outside `--fail-on`: reported, not failing.
    public var reportedRegressions: [MetricComparison] { rows.filter { $0.verdict == .regression && !$0.gating } }
    public var improvements: [MetricComparison] { rows.filter { $0.verdict == .improvement } }
    public var passed: Bool { regressions.isEmpty }

    /// With one run on a side, nothing measures how much two runs of one build differ.
    public var runToRunUnmeasured: Bool { min(baselineRuns, candidateRuns) < 2 }

    static func format(_ value: Double?, _ kind: MetricCatalog.Kind) -> String {
        guard let value else { return "–" }
        return Threshold.format(value, kind)
    }

    static func spread(_ values: [Double], _ kind: MetricCatalog.Kind) -> String {
        guard values.count > 1, let low = values.min(), let high = values.max() else { return format(values.first, kind) }
        return "\(format(MetricComparison.median(values), kind)) [\(format(low, kind))–\(format(high, kind))]"
    }

    static func percent(_ fraction: Double, signed: Bool = false) -> String {
        (signed && fraction >= 0 ? "+" : "") + ChartFormat.trim(fraction * 100, 1) + "%"
    }

    /// A confidence as a person reads it: never "100%", which the evidence cannot give.
    static func confidenceWords(_ probability: Double) -> String {
        probability >= 0.9995 ? ">99.9%" : percent(probability)
    }

    /// The first line: runs, gate, counts.
    public var headline: String {
        let inconclusive = rows.filter { $0.verdict == .inconclusive }.count
        return "compare: \(baselineRuns) baseline run(s) vs \(candidateRuns) candidate run(s); \(regressions.count) regression(s)"
            + (reportedRegressions.isEmpty ? "" : " (+\(reportedRegressions.count) outside --fail-on)")
            + ", \(improvements.count) improvement(s), \(rows.count) metrics compared"
            + (inconclusive > 0 ? " (\(inconclusive) tail percentiles had too few samples to compare)" : "")
    }

    /// What the gate is, in a line.
    public var gateLine: String {
        "gate: \(failOn.joined(separator: ", ")) fail when worse beyond their tolerance and beyond the noise with \(Self.percent(confidence)) confidence"
    }

    /// Why one run per side says less, and what would say more.
    public var noiseNote: String? {
        guard runToRunUnmeasured else { return nil }
        return "note: with one run per side, run-to-run noise (process start, caches, the machine's neighbours) cannot be measured;"
            + " changes are judged against sampling noise within each run and must also exceed their tolerance."
            + " \(RunComparison.recommendedRuns) runs per side measure it (scripts/ci-compare.sh, RUNS=\(RunComparison.recommendedRuns))."
    }

    /// One row in words: the sides, the effect (in the unit and in %), the noise, the confidence, the verdict.
    public func sentence(_ row: MetricComparison) -> String {
        let verdict = switch row.verdict {
        case .regression: row.gating ? "REGRESSION" : "regression (not gating)"
        case .improvement: "improvement"
        case .unchanged: "unchanged"
        case .missing: "missing on one side"
        case .inconclusive: "inconclusive: too few samples beyond this percentile"
        }
        let sides = "baseline \(Self.spread(row.baseline, row.kind)), candidate \(Self.spread(row.candidate, row.kind))"
        guard let evidence = row.evidence, let worsening = row.worsening, let worse = row.confidenceWorse, row.verdict != .inconclusive else {
            return "\(row.metric): \(sides) — \(verdict)"
        }
        let direction = worsening > 0 ? (row.kind == .duration ? "slower" : "worse") : worsening < 0 ? (row.kind == .duration ? "faster" : "better") : "no change"
        var effect = "\(worsening >= 0 ? "+" : "−")\(Self.format(abs(evidence.difference), row.kind))"
        if let relative = evidence.relative, row.kind != .ratio, row.kind != .count { effect += " (\(Self.percent(relative, signed: true)))" }
        let noise = switch evidence.noise {
        case .runToRun: "noise ±\(Self.format(evidence.standardError, row.kind)) run-to-run (\(baselineRuns) vs \(candidateRuns) runs)"
        case .sampling: "noise ±\(Self.format(evidence.standardError, row.kind)) from sampling alone" + (runToRunUnmeasured ? " (run-to-run unmeasured)" : "")
        case .none: "no noise: " + (row.metric.hasPrefix("routing.") ? "a correct stack misroutes nothing" : "no sampling estimate for this metric")
        }
        let sure = worsening == 0 ? "no evidence either way" : "\(Self.confidenceWords(worsening > 0 ? worse : 1 - worse)) confident it is \(direction)"
        return "\(row.metric): \(sides); \(effect) \(direction); \(noise); \(sure); tolerance ±\(Self.format(row.tolerance, row.kind)) (rule \(row.rule.pattern)) — \(verdict)"
    }

    /// The rank test's line: a within-run opinion, never a verdict.
    func rankLine(_ rank: RankTest.Result) -> String {
        "latency.\(rank.type.rawValue) distribution (within-run rank test, reported only): P(candidate slower) = \(ChartFormat.trim(rank.effect, 3)),"
            + " z = \(ChartFormat.trim(rank.z, 1)) over \(rank.baselineCount) vs \(rank.candidateCount) requests — \(rank.verdict.rawValue)"
    }

    /// The verdict in words: the metrics that changed (every one with `all`), each with effect, noise and confidence.
    public func table(all: Bool = false) -> String {
        var lines = [headline, gateLine]
        if let noiseNote { lines.append(noiseNote) }
        let shown = all ? rows : rows.filter { $0.verdict == .regression || $0.verdict == .improvement }
        if shown.isEmpty { lines.append("no metric changed beyond its tolerance and its noise") }
        lines += shown.map(sentence)
        for rank in rankTests where all || rank.verdict != .unchanged { lines.append(rankLine(rank)) }
        lines.append(passed ? "verdict: PASS" : "verdict: REGRESSION in \(regressions.map(\.metric).joined(separator: ", "))")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One test case per compared metric; gating regressions fail, with the same sentence as the text.
    public var junit: String {
        let cases = rows.map { row -> JUnitReport.TestCase in
            let text = sentence(row)
            let outcome: JUnitReport.Outcome = switch row.verdict {
            case .regression where row.gating: .failed(message: text, type: "regression", details: text)
            case .missing: .skipped(message: "\(row.metric): only one side has a value")
            case .inconclusive: .skipped(message: "\(row.metric): too few samples beyond this percentile to compare")
            default: .passed
            }
            return JUnitReport.TestCase(classname: "gauntlet.compare", name: row.metric, outcome: outcome,
                                        systemOut: row.verdict == .regression && row.gating ? nil : text)
        }
        let rankCases = rankTests.map { rank in
            JUnitReport.TestCase(classname: "gauntlet.compare", name: "latency.\(rank.type.rawValue).distribution", outcome: .passed, systemOut: rankLine(rank))
        }
        var properties = [("baseline.runs", String(baselineRuns)), ("candidate.runs", String(candidateRuns)),
                          ("gate.fail_on", failOn.joined(separator: ",")), ("gate.confidence", ChartFormat.trim(confidence, 4))]
        if let noiseNote { properties.append(("note", noiseNote)) }
        return JUnitReport(name: "gauntlet compare", suites: [
            JUnitReport.Suite(name: "\(candidateName) vs \(baselineName)", properties: properties, cases: cases + rankCases),
        ]).xml
    }
}
