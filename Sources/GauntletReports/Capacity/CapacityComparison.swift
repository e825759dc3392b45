import GauntletCore

/// `gauntlet compare` of two capacity results: the knee regressed when it dropped by more than the
/// noise the two searches' repeats measured (half of each spread, added), and never by less than the
/// search's own resolution (its precision), which is all a bisection can tell apart.
public struct CapacityComparison: Sendable, Equatable {
    public var baseline: Double?
    public var candidate: Double?
    /// The drop that counts as a regression.
    public var allowance: Double
    public var regressed: Bool
    public var text: String

    public static func compare(baseline: CapacityResult, candidate: CapacityResult) -> CapacityComparison {
        let before = baseline.capacity, after = candidate.capacity
        let noise = ((baseline.knee?.spread ?? 0) + (candidate.knee?.spread ?? 0)) / 2
        let resolution = (before ?? 0) * max(baseline.settings.precision, candidate.settings.precision)
        let allowance = max(noise, resolution)
        let rate = { (value: Double?) in value.map { "\(CapacityFormat.rate($0)) req/s" } ?? "none" }
        guard let before else {
            return CapacityComparison(baseline: nil, candidate: after, allowance: 0, regressed: false,
                                      text: "the baseline found no capacity (\(baseline.outcome.rawValue)); nothing to compare against")
        }
        guard candidate.outcome != .generatorBound || (after ?? 0) < before - allowance else {
            return CapacityComparison(baseline: before, candidate: after, allowance: allowance, regressed: false,
                                      text: "inconclusive: the candidate's search was generator-bound at \(rate(after)) (baseline \(rate(before)))")
        }
        let measured = after ?? 0
        let drop = before - measured
        let regressed = drop > allowance || candidate.outcome == .sloFailsAtStart || candidate.outcome == .failed
        let change = before > 0 ? (measured - before) / before * 100 : 0
        var text = "capacity \(rate(before)) → \(rate(after)) (\(String(format: "%+.1f%%", change)); noise allows a drop of \(CapacityFormat.rate(allowance)) req/s)"
        if candidate.outcome == .sloFailsAtStart { text += "; the candidate's SLO fails at the start rate" }
        if candidate.outcome == .failed { text += "; the candidate's search failed: \(candidate.failure ?? "")" }
        text += regressed ? " — REGRESSION" : " — ok"
        return CapacityComparison(baseline: before, candidate: after, allowance: allowance, regressed: regressed, text: text)
    }
}
