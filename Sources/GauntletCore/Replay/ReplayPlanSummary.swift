/// What planning a replay's sources left: the planner (its counts, users and recorded span), the last
/// intended send time, and the malformed lines the readers skipped.
public struct ReplayPlanSummary {
    public var planner: ReplayPlanner
    /// The last planned request's intended send time, seconds after the replay's start.
    public var lastOffset: Double
    public var skipped: SkippedLines

    public init(planner: ReplayPlanner, lastOffset: Double, skipped: SkippedLines) {
        self.planner = planner
        self.lastOffset = lastOffset
        self.skipped = skipped
    }

    /// The plan as `replay` prints it: how much of the recording it kept, over what span, as which users,
    /// and what it left out and why.
    public func renderText() -> String {
        let counts = planner.counts
        let mix = RequestType.allCases.compactMap { type in counts.byType[type].map { "\(type.rawValue) \($0)" } }.joined(separator: ", ")
        var lines = ["replay plan: \(counts.planned) of \(counts.seen) recorded requests (\(mix.isEmpty ? "none" : mix))"]
        lines.append("  recorded span \(Quantity.format(seconds: planner.recordedSpan)), replay span \(Quantity.format(seconds: lastOffset))")
        let users = planner.clientsByRole.sorted { ($0.key?.rawValue ?? "~") < ($1.key?.rawValue ?? "~") }
            .map { "\($0.key?.rawValue ?? "no role") \($0.value)" }.joined(separator: ", ")
        lines.append("  virtual users: \(users.isEmpty ? "none" : users)")
        var left: [String] = []
        if counts.outsideWindow > 0 { left.append("\(counts.outsideWindow) outside --from/--to") }
        if counts.unmatched > 0 { left.append("\(counts.unmatched) not matching --match") }
        if counts.authFlow > 0 { left.append("\(counts.authFlow) login-flow steps (users log in themselves)") }
        if counts.reordered > 0 { left.append("\(counts.reordered) recorded out of order, sent right after their predecessor") }
        if !left.isEmpty { lines.append("  left out: " + left.joined(separator: "; ")) }
        if skipped.count > 0 {
            lines.append("  skipped \(skipped.count) malformed lines; first:")
            for issue in skipped.examples.prefix(5) { lines.append("    \(issue)") }
        }
        return lines.joined(separator: "\n")
    }
}

extension PlannedReplayRequest {
    /// The planned request in Gauntlet's request-log format (`replay-plan.jsonl`): `t` is the intended send
    /// time, `status` the recorded one, `service_time` the recorded processing time, `user` the recorded
    /// client.
    public var logRecord: RequestLogRecord {
        let scheme = request.scheme ?? "https"
        return RequestLogRecord(
            intendedTime: offset, type: classification.type, method: request.method,
            url: request.host.isEmpty ? request.pathAndQuery : "\(scheme)://\(request.host)\(request.pathAndQuery)",
            status: request.status, serviceTime: request.processingTime,
            user: "client-\(user.client)", role: user.role
        )
    }
}
