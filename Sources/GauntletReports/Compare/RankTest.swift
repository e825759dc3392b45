import GauntletCore
import Histogram

/// A rank test on whole latency distributions (Mann–Whitney U over the runs' histograms), as a second,
/// distribution-wide opinion beside the per-metric verdicts. It is reported, never gating: it treats
/// every request of a run as an independent sample, so it cannot see what separates two runs of one
/// build (process start, caches, neighbours), and with hundreds of requests it finds a "significant"
/// shift between almost any two runs. Issue 18 measured exactly that: 4 of 6 A/A pairs flagged.
///
/// The effect size is A = P(candidate latency > baseline latency) (+½ for ties within one histogram
/// bucket): 0.5 means no difference. A shift is reported when A departs from 0.5 by at least
/// `minimumEffect` and the z-score of U exceeds `minimumZ` (p < 0.0013 one-sided) — practically and
/// statistically significant both.
public enum RankTest {
    public static let minimumEffect = 0.05
    public static let minimumZ = 3.0

    public struct Result: Sendable, Equatable {
        public var type: RequestType
        public var baselineCount: UInt64
        public var candidateCount: UInt64
        /// P(candidate > baseline) + ½ P(equal).
        public var effect: Double
        public var z: Double
        public var verdict: MetricComparison.Verdict
    }

    /// The measured phases' corrected-latency histogram of each request type, merged over `runs`.
    static func histograms(_ runs: [RunFiles]) -> [RequestType: LatencyHistogram] {
        var merged: [RequestType: LatencyHistogram] = [:]
        for run in runs {
            let measured = Set(run.summary.scenario.phases.filter { !$0.warmup }.map(\.name))
            for interval in run.intervals where measured.contains(interval.phase) && interval.corrected.totalCount > 0 {
                let histogram = interval.corrected.histogram()
                if merged[interval.type] == nil { merged[interval.type] = histogram } else { merged[interval.type]?.add(histogram) }
            }
        }
        return merged
    }

    public static func compare(baseline: [RunFiles], candidate: [RunFiles]) -> [Result] {
        let before = histograms(baseline), after = histograms(candidate)
        return before.keys.sorted().compactMap { type in
            guard let baseline = before[type], let candidate = after[type] else { return nil }
            return test(type, baseline, candidate)
        }
    }

    static func test(_ type: RequestType, _ baseline: LatencyHistogram, _ candidate: LatencyHistogram) -> Result? {
        let nb = Double(baseline.totalCount), nc = Double(candidate.totalCount)
        guard nb > 0, nc > 0 else { return nil }
        // Walk both histograms' buckets in value order (both use Gauntlet's range and precision, so a
        // value's bucket is the same on each side).
        var buckets: [UInt64: (b: Double, c: Double)] = [:]
        for step in baseline.recordedValues() { buckets[baseline.lowestEquivalentForValue(step.value), default: (0, 0)].b += Double(step.count) }
        for step in candidate.recordedValues() { buckets[candidate.lowestEquivalentForValue(step.value), default: (0, 0)].c += Double(step.count) }
        var u = 0.0
        var baselineBelow = 0.0
        for (_, (b, c)) in buckets.sorted(by: { $0.key < $1.key }) {
            u += c * (baselineBelow + b / 2)
            baselineBelow += b
        }
        let effect = u / (nb * nc)
        let sigma = (nb * nc * (nb + nc + 1) / 12).squareRoot()
        let z = sigma > 0 ? (u - nb * nc / 2) / sigma : 0
        let verdict: MetricComparison.Verdict
        if z > minimumZ && effect > 0.5 + minimumEffect {
            verdict = .regression
        } else if z < -minimumZ && effect < 0.5 - minimumEffect {
            verdict = .improvement
        } else {
            verdict = .unchanged
        }
        return Result(type: type, baselineCount: baseline.totalCount, candidateCount: candidate.totalCount, effect: effect, z: z, verdict: verdict)
    }
}
