/// A sent replay's own request log paired with its plan: which statuses and latencies changed against the
/// recording, how late the replay ran, and how long it took to send.
public struct ReplayOutcome: Sendable {
    public var matcher: ReplayMatcher
    public var comparison: ReplayComparison
    /// When the last replayed request was actually sent (its intended time plus its lag).
    public var sentSpan: Double
    public var replayedByType: [RequestType: Int]

    /// Pairs the replay's request log (`replayed`, in the order it was written) with what `matcher` expects.
    public init(matcher: ReplayMatcher, replayed: [RequestLogRecord]) {
        self.matcher = matcher
        comparison = ReplayComparison()
        sentSpan = 0
        replayedByType = [:]
        // The log is in completion order (a fast 401 overtakes a slower 200 sent just before it); the
        // plan is in intended order, so pair them in intended order.
        let ordered = replayed.enumerated()
            .sorted { ($0.element.intendedTime, $0.offset) < ($1.element.intendedTime, $1.offset) }.map(\.element)
        for record in ordered {
            replayedByType[record.type, default: 0] += 1
            let lag = record.latency.flatMap { latency in record.serviceTime.map { max(0, latency - $0) } } ?? 0
            sentSpan = max(sentSpan, record.intendedTime + lag)
            guard let recorded = self.matcher.match(record) else { continue }
            comparison.add(recorded, replayedStatus: record.status, replayedLatency: record.latency)
        }
    }

    /// The replay did not reproduce the recording: a status differed, or a planned request was never sent.
    public var changed: Bool { comparison.differed > 0 || matcher.unreplayed > 0 }

    /// What changed, as `replay` prints it: statuses per path pattern, requests missing either way,
    /// schedule lag, and latency against the recorded processing time.
    public func renderText() -> String {
        var lines = [comparison.renderText()]
        if matcher.unreplayed > 0 || matcher.unexpected > 0 {
            lines.append("  \(matcher.unreplayed) planned requests missing from the replay's log; \(matcher.unexpected) replayed requests not in the plan")
        }
        if let p50 = matcher.lag(quantile: 0.5), let p99 = matcher.lag(quantile: 0.99), let max = matcher.lag(quantile: 1) {
            lines.append("schedule lag: p50 \(Quantity.format(seconds: p50)), p99 \(Quantity.format(seconds: p99)), max \(Quantity.format(seconds: max))")
        }
        let latency = comparison.latency
        if !latency.isEmpty {
            lines.append("latency vs recorded processing time (means):")
            for row in latency.prefix(20) {
                lines.append("  \(row.method) \(row.pattern): recorded \(Quantity.format(seconds: row.recordedMean)), replayed \(Quantity.format(seconds: row.replayedMean)) over \(row.count)")
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension ReplayReport {
    /// `replay.json`: the plan's figures beside what the sent replay did.
    public init(plan: ReplayPlanSummary, outcome: ReplayOutcome) {
        self.init(
            recordedSpan: plan.planner.recordedSpan, plannedSpan: plan.lastOffset, sentSpan: outcome.sentSpan,
            plannedByType: plan.planner.counts.byType, replayedByType: outcome.replayedByType,
            matcher: outcome.matcher, comparison: outcome.comparison)
    }
}
