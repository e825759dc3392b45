/// Names the hop that gave out: the one whose p99 grew first and most between the SLO's last good
/// step and its first bad one. Pure: steps in, a `Bottleneck` out.
public enum BottleneckAttribution {
    /// A hop's p99 has "grown" at a step once it is both twice its baseline and this much above it.
    public static let minimumGrowth = 0.001

    /// - Parameters:
    ///   - steps: every step of the search (generator-bound ones are ignored: their latencies are the generator's).
    ///   - breakingRate: the rate at which the SLO broke (the knee's high side, or the start rate); nil uses the lowest failed step.
    public static func attribute(steps: [CapacityStep], breakingRate: Double? = nil) -> Bottleneck? {
        let usable = steps.filter { !$0.generator.bound }.sorted { ($0.rate, $0.index) < ($1.rate, $1.index) }
        let failed = usable.filter { !$0.held }
        guard let focus = breakingRate.flatMap({ rate in failed.first { $0.rate >= rate * 0.999 } }) ?? failed.first else { return nil }
        let baseline = usable.first { $0.held && $0.rate < focus.rate }

        guard let baseline else {
            // No step held: nothing to grow from, so name where most of the time went.
            guard let largest = namable(focus.hops).filter({ $0.hop != "freshness" }).max(by: { $0.p99 < $1.p99 }) else { return nil }
            let text = "at \(rate(focus.rate)) (the first step) the SLO already fails; most time goes to \(CapacityHop.label(of: largest.hop)) (p99 \(Quantity.format(seconds: round(largest.p99))))"
            return Bottleneck(hop: largest.hop, component: CapacityHop.component(of: largest.hop), rate: focus.rate, baselineRate: nil,
                              baselineP99: nil, p99: largest.p99, firstGrewAt: focus.rate, method: .share, text: text + signalText(focus, nil))
        }

        var candidates: [(hop: String, from: Double, to: Double, firstAt: Double?)] = []
        for hop in namable(baseline.hops) {
            guard let at = focus.hop(hop.hop) else { continue }
            let firstAt = usable.first { step in
                guard step.rate > baseline.rate, step.rate <= focus.rate, let value = step.hop(hop.hop)?.p99 else { return false }
                return grew(from: hop.p99, to: value)
            }?.rate
            candidates.append((hop.hop, hop.p99, at.p99, firstAt))
        }
        // Most growth first; among hops that grew alike (within 20%), the one that grew at the lower rate.
        let ranked = candidates.sorted { a, b in
            let ga = a.to - a.from, gb = b.to - b.from
            if abs(ga - gb) > 0.2 * Swift.max(ga, gb) { return ga > gb }
            return (a.firstAt ?? .infinity) < (b.firstAt ?? .infinity)
        }
        guard let top = ranked.first, grew(from: top.from, to: top.to) else {
            let text = "at \(rate(focus.rate)) no hop's p99 grew from \(rate(baseline.rate)); the SLO broke on \(focus.breaches.first ?? "its thresholds")"
            return Bottleneck(hop: nil, component: nil, rate: focus.rate, baselineRate: baseline.rate, baselineP99: nil, p99: nil,
                              firstGrewAt: nil, method: .growth, text: text + signalText(focus, baseline))
        }
        var text = "at \(rate(focus.rate)) \(CapacityHop.label(of: top.hop)) p99 went from \(ms(top.from)) to \(ms(top.to))"
        if let firstAt = top.firstAt, firstAt < focus.rate { text += " (growing from \(rate(firstAt)))" }
        // The contrast a planner needs: the LB's own time against its targets' time, whichever gave out.
        let isTarget = { (hop: String) in hop == "target" || CapacityHop.backends.contains(hop) }
        let contrast = isTarget(top.hop) ? ranked.first { $0.hop == "lb_auth" } : ranked.first { isTarget($0.hop) }
        if let other = contrast ?? ranked.dropFirst().first {
            let flat = !grew(from: other.from, to: other.to)
            text += " while \(CapacityHop.label(of: other.hop)) \(flat ? "stayed flat" : "went") \(flat ? "(\(ms(other.from)) → \(ms(other.to)))" : "from \(ms(other.from)) to \(ms(other.to))")"
        }
        return Bottleneck(hop: top.hop, component: CapacityHop.component(of: top.hop), rate: focus.rate, baselineRate: baseline.rate,
                          baselineP99: top.from, p99: top.to, firstGrewAt: top.firstAt, method: .growth, text: text + signalText(focus, baseline))
    }

    /// The hops to name: the backends one by one where the step measured them, not also the targets as a whole.
    static func namable(_ hops: [CapacityHop]) -> [CapacityHop] {
        hops.contains { CapacityHop.backends.contains($0.hop) } ? hops.filter { $0.hop != "target" } : hops
    }

    static func grew(from: Double, to: Double) -> Bool {
        to >= from * 2 && to - from >= minimumGrowth
    }

    /// The components' own refusals, when they rose: they name a component as surely as a latency does.
    static func signalText(_ focus: CapacityStep, _ baseline: CapacityStep?) -> String {
        let before = baseline?.signals ?? ComponentSignals(uploadThrottled: 0, loginFailures: 0, lbErrors: 0)
        let after = focus.signals
        var notes: [String] = []
        if after.uploadThrottled > before.uploadThrottled { notes.append("the upload gateway throttled \(after.uploadThrottled) uploads (429)") }
        if after.loginFailures > before.loginFailures { notes.append("\(after.loginFailures) logins failed at the identity provider") }
        if after.lbErrors > before.lbErrors { notes.append("the load balancer answered \(after.lbErrors) requests itself with 502/503/504") }
        return notes.isEmpty ? "" : "; " + notes.joined(separator: ", ")
    }

    static func round(_ seconds: Double) -> Double { (seconds * 10_000).rounded() / 10_000 }
    static func ms(_ seconds: Double) -> String { Quantity.format(seconds: round(seconds)) }
    static func rate(_ value: Double) -> String { "\(CapacityFormat.rate(value)) req/s" }
}

/// The hop (and its component) that gave out first at the knee, and the sentence that says so.
public struct Bottleneck: Sendable, Equatable, Codable {
    public enum Method: String, Sendable, Equatable, Codable {
        /// The hop whose p99 grew most from the last good step to the first bad one.
        case growth
        /// No step held: the hop with the largest p99 at the first step.
        case share
    }

    /// nil when no hop's latency grew (the SLO broke on errors or throughput alone).
    public var hop: String?
    public var component: String?
    /// The step the attribution looks at (the first that broke the SLO) and the one it compares with.
    public var rate: Double
    public var baselineRate: Double?
    public var baselineP99: Double?
    public var p99: Double?
    /// The lowest rate at which this hop's p99 had grown (twice its baseline).
    public var firstGrewAt: Double?
    public var method: Method
    public var text: String
}

/// How rates read in capacity answers: whole numbers with thousands separators.
public enum CapacityFormat {
    public static func rate(_ value: Double) -> String {
        if value < 10 { return Quantity.trim((value * 10).rounded() / 10) }
        let whole = Int(value.rounded())
        var digits = Array(String(abs(whole)))
        var groups: [String] = []
        while digits.count > 3 {
            groups.insert(String(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        groups.insert(String(digits), at: 0)
        return (whole < 0 ? "-" : "") + groups.joined(separator: ",")
    }
}
