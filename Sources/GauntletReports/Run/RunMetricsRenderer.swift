import Foundation
import GauntletCore

/// `metrics.prom`: the run's figures as labelled OpenMetrics gauges and summaries.
public enum RunMetricsRenderer {
    typealias Series = (labels: OpenMetricsWriter.Labels, quantiles: [(quantile: Double, value: Double)], sum: Double, count: Double)

    /// One summary series from a latency distribution; the maximum is written as quantile 1.
    static func series(_ labels: OpenMetricsWriter.Labels, _ latency: LatencyPercentiles) -> Series {
        let quantiles: [(quantile: Double, value: Double)] = [
            (0.5, latency.p50), (0.75, latency.p75), (0.9, latency.p90), (0.95, latency.p95), (0.99, latency.p99),
            (0.999, latency.p99_9), (0.9999, latency.p99_99), (1, latency.max),
        ]
        return (labels, quantiles, latency.mean * Double(latency.count), Double(latency.count))
    }

    public static func render(_ summary: RunSummary) -> String {
        var writer = OpenMetricsWriter()
        // Names and labels are fixed here, so the writer cannot reject them; `try?` keeps renderers total.
        let run: OpenMetricsWriter.Labels = [("scenario", summary.scenario.name)]
        try? writer.gauge("gauntlet_run_info", help: "Constant 1; the labels describe the run.", samples: [
            (run + [("gauntlet_version", summary.scenario.gauntletVersion), ("seed", String(summary.scenario.seed)),
                    ("target", summary.scenario.target), ("started_at", summary.startedAt)], 1),
        ])
        try? writer.gauge("gauntlet_run_duration_seconds", help: "Seconds of measured (non-warm-up) run time.", unit: "seconds",
                          samples: [(run, summary.measuredDuration)])
        let types = summary.requestTypes
        try? writer.gauge("gauntlet_requests", help: "Requests completed in the measured phases, by request type.",
                          samples: types.map { (run + [("type", $0.type.rawValue)], Double($0.total.count)) })
        try? writer.gauge("gauntlet_requests_failed", help: "Requests that failed (any error category), by request type.",
                          samples: types.map { (run + [("type", $0.type.rawValue)], Double($0.total.failed)) })
        try? writer.gauge("gauntlet_request_rate", help: "Achieved requests per second, by request type.",
                          samples: types.map { (run + [("type", $0.type.rawValue)], $0.total.achievedRate) })
        try? writer.gauge("gauntlet_request_intended_rate", help: "Requests per second the schedule asked for, by request type.",
                          samples: types.compactMap { type in type.total.intendedRate.map { (run + [("type", type.type.rawValue)], $0) } })
        try? writer.gauge("gauntlet_errors", help: "Failed requests by request type and error category.",
                          samples: types.flatMap { type in type.total.errors.map { (run + [("type", type.type.rawValue), ("category", $0.category)], Double($0.count)) } })
        try? writer.gauge("gauntlet_responses", help: "Responses by request type and HTTP status.",
                          samples: types.flatMap { type in type.total.statuses.map { (run + [("type", type.type.rawValue), ("status", String($0.status))], Double($0.count)) } })
        func latencySeries(_ pick: (RequestStats) -> LatencyPercentiles?) -> [Series] {
            types.flatMap { type -> [Series] in
                var all: [Series] = []
                if let latency = pick(type.total) {
                    all.append(series(run + [("type", type.type.rawValue), ("phase", "measured")], latency))
                }
                for phase in type.phases {
                    guard let latency = pick(phase.stats) else { continue }
                    all.append(series(run + [("type", type.type.rawValue), ("phase", phase.phase)], latency))
                }
                return all
            }
        }
        try? writer.summary("gauntlet_latency_seconds", help: "Latency from the intended send time (coordinated-omission-corrected).",
                            unit: "seconds", series: latencySeries(\.latency))
        try? writer.summary("gauntlet_service_time_seconds", help: "Latency from the actual send time (uncorrected service time).",
                            unit: "seconds", series: latencySeries(\.serviceTime))
        let steps = (summary.auth.steps.map { ("step", $0) } + summary.auth.hops.map { ("hop", $0) }).compactMap { kind, step in
            step.latency.map { series(run + [("kind", kind), ("step", step.step)], $0) }
        }
        try? writer.summary("gauntlet_auth_seconds", help: "Authentication latency by step and by hop.", unit: "seconds", series: steps)
        try? writer.gauge("gauntlet_misroutes", help: "Responses that broke the routing/auth matrix, by kind (zero is the only pass).",
                          samples: [(run + [("kind", "all")], Double(summary.misroutes.total))]
                              + summary.misroutes.kinds.map { (run + [("kind", $0.kind.rawValue)], Double($0.count)) })
        if let upload = summary.upload {
            try? writer.gauge("gauntlet_upload_events_per_second", help: "Events acknowledged per second.", samples: [(run, upload.eventsPerSecond)])
            try? writer.gauge("gauntlet_upload_bytes_per_second", help: "Upload payload bytes acknowledged per second.", unit: "bytes",
                              samples: [(run, upload.mbPerSecond * 1_000_000)])
            try? writer.gauge("gauntlet_upload_events", help: "Events acknowledged in the measured phases.", samples: [(run, Double(upload.events))])
            if let freshness = upload.freshness {
                try? writer.summary("gauntlet_upload_freshness_seconds", help: "Upload acknowledgement to visibility in search.", unit: "seconds",
                                    series: [series(run, freshness)])
            }
        }
        if let lag = summary.scheduleLag.lag {
            try? writer.summary("gauntlet_schedule_lag_seconds", help: "How late the generator sent requests against their intended time.", unit: "seconds",
                                series: [series(run, lag)])
        }
        try? writer.gauge("gauntlet_threshold_passed", help: "1 when the threshold held, 0 when it failed.",
                          samples: summary.thresholds.map { (run + [("threshold", $0.expression)], $0.passed ? 1 : 0) })
        try? writer.gauge("gauntlet_threshold_measured", help: "The measured value of each threshold's metric, in its base unit.",
                          samples: summary.thresholds.compactMap { threshold in threshold.measured.map { (run + [("threshold", threshold.expression), ("metric", threshold.metric)], $0) } })
        return writer.text
    }
}
