import Foundation
import GauntletCore

/// What the runs say about one metric's change, before any rule is applied: how big the change is,
/// the noise it is judged against, and how confident one can be that it is real.
///
/// Two kinds of noise. *Sampling noise* is what one run's finite sample leaves uncertain (a p50 from 200
/// requests, a rate from a Poisson count); it is known from the sample counts. *Run-to-run noise* is
/// what separates two runs of the same build (process start, caches, the machine's neighbours); only
/// several runs per side can measure it, and with one run per side it is simply unknown. Each side's
/// variance is the larger of its runs' observed variance and its sampling variance, so few runs never
/// claim less noise than their samples allow.
///
/// Latency and throughput are compared on a log scale (a change is a ratio, and run-to-run noise is
/// roughly proportional); error and misroute rates as proportions (per run, when there are several).
public struct MetricEvidence: Sendable, Equatable {
    public enum Noise: String, Sendable, Equatable {
        /// Measured from the spread of several runs per side (at least the sampling noise).
        case runToRun = "run-to-run"
        /// Only the sampling noise within each run: one run on a side cannot show run-to-run noise.
        case sampling
        /// Nothing to judge against: the metric has no known noise (a deterministic count).
        case none
    }

    /// Candidate minus baseline in the metric's unit (the baseline's and candidate's central values).
    public var baseline: Double
    public var candidate: Double
    /// The standard error of that difference, in the metric's unit.
    public var standardError: Double
    public var noise: Noise
    /// Degrees of freedom behind the standard error (∞ when it comes from sampling alone).
    public var degrees: Double
    /// P(the candidate is truly higher than the baseline) on the evidence; 0.5 is no evidence either way.
    public var confidenceHigher: Double

    public var difference: Double { candidate - baseline }
    /// Relative change (0.1 = 10% higher), nil when the baseline is 0.
    public var relative: Double? { baseline != 0 ? candidate / baseline - 1 : nil }

    /// A log-scale comparison: per-run values with each run's sampling variance on the log scale.
    static func logScale(baseline: [(value: Double, samplingVariance: Double)], candidate: [(value: Double, samplingVariance: Double)]) -> MetricEvidence? {
        guard !baseline.isEmpty, !candidate.isEmpty,
              (baseline + candidate).allSatisfy({ $0.value > 0 && $0.value.isFinite }) else { return nil }
        func side(_ runs: [(value: Double, samplingVariance: Double)]) -> (mean: Double, variance: Double, observed: Bool) {
            let logs = runs.map { log($0.value) }
            let mean = logs.reduce(0, +) / Double(logs.count)
            let sampling = runs.map(\.samplingVariance).reduce(0, +) / Double(runs.count)
            guard logs.count > 1 else { return (mean, sampling, false) }
            let observed = logs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(logs.count - 1)
            return (mean, max(observed, sampling), true)
        }
        let b = side(baseline), c = side(candidate)
        let standardError = (b.variance / Double(baseline.count) + c.variance / Double(candidate.count)).squareRoot()
        let measured = b.observed && c.observed
        let degrees = measured ? Double(baseline.count + candidate.count - 2) : .infinity
        let difference = c.mean - b.mean
        let confidence: Double = standardError > 0 ? StudentT.cdf(difference / standardError, degrees: degrees) : (difference > 0 ? 1 : difference < 0 ? 0 : 0.5)
        let base = exp(b.mean), cand = exp(c.mean)
        return MetricEvidence(
            baseline: base, candidate: cand,
            // The log-scale error read back at the baseline's level.
            standardError: standardError * base,
            noise: measured ? .runToRun : standardError > 0 ? .sampling : .none,
            degrees: degrees, confidenceHigher: confidence)
    }

    /// A proportion over each side's runs (`events` of `trials`). With one run on a side, the two are
    /// tested as binomial samples. With several on each side the runs are the unit, as for latency:
    /// errors come in bursts (a stalled machine times out a handful of requests in one run and none in
    /// the next), so each side's variance is the larger of its per-run rates' spread and the binomial
    /// sampling variance of one run. `exact` says the events are never noise (misroutes: a correct stack
    /// has none), so any from a baseline that had none is certain.
    static func proportion(baseline: [(events: Double, trials: Double)], candidate: [(events: Double, trials: Double)], exact: Bool) -> MetricEvidence? {
        let kb = baseline.map(\.events).reduce(0, +), nb = baseline.map(\.trials).reduce(0, +)
        let kc = candidate.map(\.events).reduce(0, +), nc = candidate.map(\.trials).reduce(0, +)
        guard nb > 0, nc > 0 else { return nil }
        let pb = kb / nb, pc = kc / nc
        let pooled = (kb + kc) / (nb + nc)
        let difference = pc - pb
        if !exact, baseline.count > 1, candidate.count > 1, baseline.allSatisfy({ $0.trials > 0 }), candidate.allSatisfy({ $0.trials > 0 }) {
            func variance(_ runs: [(events: Double, trials: Double)], mean: Double) -> Double {
                let rates = runs.map { $0.events / $0.trials }
                let observed = rates.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(rates.count - 1)
                let perRun = runs.map(\.trials).reduce(0, +) / Double(runs.count)
                return max(observed, pooled * (1 - pooled) / perRun)
            }
            let standardError = (variance(baseline, mean: pb) / Double(baseline.count) + variance(candidate, mean: pc) / Double(candidate.count)).squareRoot()
            let degrees = Double(baseline.count + candidate.count - 2)
            let confidence: Double = standardError > 0 ? StudentT.cdf(difference / standardError, degrees: degrees) : (difference > 0 ? 1 : difference < 0 ? 0 : 0.5)
            return MetricEvidence(baseline: pb, candidate: pc, standardError: standardError,
                                  noise: standardError > 0 ? .runToRun : .none, degrees: degrees, confidenceHigher: confidence)
        }
        let standardError = exact && kb == 0 ? 0 : (pooled * (1 - pooled) * (1 / nb + 1 / nc)).squareRoot()
        let confidence: Double = standardError > 0 ? StudentT.normalCDF(difference / standardError) : (difference > 0 ? 1 : difference < 0 ? 0 : 0.5)
        return MetricEvidence(baseline: pb, candidate: pc, standardError: standardError,
                              noise: standardError > 0 ? .sampling : .none, degrees: .infinity, confidenceHigher: confidence)
    }
}

extension MetricEvidence {
    /// The evidence on `metric` from the two sides' runs, or nil when a side has no value.
    static func gather(_ metric: String, baseline: [RunSummary], candidate: [RunSummary]) -> MetricEvidence? {
        if let counts = proportionCounts(metric) {
            let exact = metric.hasPrefix("routing.")
            return proportion(baseline: baseline.compactMap(counts), candidate: candidate.compactMap(counts), exact: exact)
        }
        func runs(_ side: [RunSummary]) -> [(value: Double, samplingVariance: Double)] {
            side.compactMap { run in run.value(of: metric).map { ($0, samplingVariance(metric, run, value: $0)) } }
        }
        return logScale(baseline: runs(baseline), candidate: runs(candidate))
    }

    /// Rates and counts of errors and misroutes are compared as proportions of the requests behind them
    /// (a count alone depends on how many requests a Poisson schedule drew).
    static func proportionCounts(_ metric: String) -> ((RunSummary) -> (events: Double, trials: Double)?)? {
        let parts = metric.split(separator: ".").map(String.init)
        func scope(_ run: RunSummary, _ name: String) -> RequestStats? {
            name == "all" ? run.all : RequestType(rawValue: name).flatMap { run.stats(for: $0)?.total }
        }
        switch (parts.first, parts.count) {
        case ("routing", 2):
            return { run in (Double(run.misroutes.total), Double(run.all.count)) }
        case ("errors", 2):
            return { run in (Double(run.all.failed), Double(run.all.count)) }
        case ("errors", 3):
            let name = parts[1]
            return { run in scope(run, name).map { (Double($0.failed), Double($0.count)) } }
        default:
            return nil
        }
    }

    /// One run's sampling variance of `metric` on the log scale: a percentile's from its sample count, a
    /// rate's from its Poisson count; 0 where it is not known.
    static func samplingVariance(_ metric: String, _ run: RunSummary, value: Double) -> Double {
        let parts = metric.split(separator: ".", maxSplits: 2).map(String.init)
        guard value > 0 else { return 0 }
        if parts.count == 3, let p = MetricComparison.percentile(parts[2]),
           let figures = MetricComparison.figures("\(parts[0]).\(parts[1])", in: run) {
            // The half-width is ~2 standard errors of the quantile.
            let error = MetricComparison.quantileHalfWidth(figures, p) / 2 / value
            return error * error
        }
        if parts.count == 3, parts[0] == "requests", parts[2] == "rate" {
            let count = parts[1] == "all" ? run.all.count : RequestType(rawValue: parts[1]).flatMap { run.stats(for: $0)?.total.count } ?? 0
            return count > 0 ? 1 / Double(count) : 0
        }
        if metric.hasPrefix("upload."), parts.count == 2, let batches = run.upload?.batches, batches > 0 {
            return 1 / Double(batches)
        }
        return 0
    }
}
