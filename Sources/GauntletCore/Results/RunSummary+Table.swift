extension RunSummary {
    /// The end-of-run table for a terminal: per request type the counts, rates and corrected latency,
    /// then misroutes, errors, auth latency by step and hop, uploads, schedule lag, thresholds, warnings.
    public var table: String {
        func ms(_ value: Double?) -> String { value.map { Quantity.format(seconds: $0) } ?? "-" }
        func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
        func rpad(_ text: String, _ width: Int) -> String { text.count >= width ? text : String(repeating: " ", count: width - text.count) + text }
        func rate(_ value: Double?) -> String { value.map(format1) ?? "max" }
        var lines: [String] = []
        lines.append("\(scenario.name) (seed \(scenario.seed)) against \(scenario.target): \(Quantity.trim(measuredDuration))s measured\(partial ? " — PARTIAL: \(partialReason ?? "")" : "")")
        lines.append("")
        let header = [pad("type", 8), rpad("requests", 9), rpad("ok", 8), rpad("failed", 7), rpad("target/s", 9), rpad("got/s", 8),
                      rpad("p50", 9), rpad("p90", 9), rpad("p99", 9), rpad("p99.9", 9), rpad("max", 9), rpad("svc p99", 9)]
        lines.append(header.joined(separator: " "))
        for summary in requestTypes + [RequestTypeSummary(type: .http, total: all, phases: [])] {
            let stats = summary.total
            let name = summary.phases.isEmpty && summary.type == .http && stats == all ? "all" : summary.type.rawValue
            let row = [pad(name, 8), rpad("\(stats.count)", 9), rpad("\(stats.ok)", 8), rpad("\(stats.failed)", 7),
                       rpad(rate(stats.intendedRate), 9), rpad(String(format1(stats.achievedRate)), 8),
                       rpad(ms(stats.latency?.p50), 9), rpad(ms(stats.latency?.p90), 9), rpad(ms(stats.latency?.p99), 9),
                       rpad(ms(stats.latency?.p99_9), 9), rpad(ms(stats.latency?.max), 9), rpad(ms(stats.serviceTime?.p99), 9)]
            lines.append(row.joined(separator: " "))
        }
        lines.append("")
        lines.append("misroutes: \(misroutes.total)" + (misroutes.kinds.isEmpty ? "" : " (" + misroutes.kinds.map { "\($0.kind.rawValue) \($0.count)" }.joined(separator: ", ") + ")"))
        for kind in misroutes.kinds {
            for example in kind.examples.prefix(2) {
                lines.append("  e.g. \(example.method) \(example.path) as \(example.role ?? "anonymous"): expected \(example.expected), got \(example.status) from \(example.servedBy ?? "-")")
            }
        }
        if !all.errors.isEmpty {
            lines.append("errors: " + all.errors.map { "\($0.category) \($0.count)" }.joined(separator: ", "))
        }
        let timedSteps = auth.steps.filter { $0.latency != nil }
        let timedHops = auth.hops.filter { $0.latency != nil }
        if !timedSteps.isEmpty || !timedHops.isEmpty {
            lines.append("auth: \(auth.logins) logins, \(auth.loginFailures) failed, \(auth.refreshes) re-logins")
            let width = max(15, (timedSteps + timedHops).map(\.step.count).max() ?? 0)
            for entry in timedSteps + timedHops {
                guard let latency = entry.latency else { continue }
                lines.append("  \(pad(entry.step, width)) n=\(rpad("\(latency.count)", 7))  p50 \(rpad(ms(latency.p50), 9))  p99 \(rpad(ms(latency.p99), 9))  max \(rpad(ms(latency.max), 9))")
            }
        }
        if let upload {
            lines.append("upload: \(upload.events) events in \(upload.batches) batches acknowledged, \(format1(upload.eventsPerSecond)) events/s, \(format2(upload.mbPerSecond)) MB/s"
                + (upload.rejected.isEmpty ? "" : "; rejected " + upload.rejected.map { "\($0.category) \($0.count)" }.joined(separator: ", ")))
        }
        if let lag = scheduleLag.lag {
            lines.append("schedule lag: p50 \(ms(lag.p50)), p99 \(ms(lag.p99)), max \(ms(lag.max))")
        }
        if let own = scheduleLag.generatorLag {
            lines.append("  generator lag:   p50 \(ms(own.p50)), p99 \(ms(own.p99)), max \(ms(own.max))  (due, a connection free, sent late)")
        }
        if let wait = scheduleLag.connectionWait {
            lines.append("  connection wait: p50 \(ms(wait.p50)), p99 \(ms(wait.p99)), max \(ms(wait.max)), \(wait.count) requests waited  (the target held every connection)")
        }
        if !thresholds.isEmpty {
            lines.append("thresholds:")
            for threshold in thresholds { lines.append("  \(threshold.passed ? "ok    " : "FAILED") \(threshold.message)") }
        }
        for warning in warnings { lines.append("WARNING: \(warning)") }
        return lines.joined(separator: "\n")
    }
}

private func format1(_ value: Double) -> String {
    let scaled = (value * 10).rounded() / 10
    return scaled == scaled.rounded() ? String(Int(scaled)) : String(scaled)
}

private func format2(_ value: Double) -> String {
    let scaled = (value * 100).rounded() / 100
    return String(scaled)
}
