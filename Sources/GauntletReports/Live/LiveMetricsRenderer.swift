import Foundation
import GauntletCore

/// `/metrics` during a run: the run so far in the Prometheus 0.0.4 text format, which every Prometheus 2.x
/// scrapes and `promtool check metrics` accepts.
///
/// Counts are counters (`_total`) that grow through the run; latencies are summaries (quantiles from the
/// run's own HdrHistograms, plus `_sum` and `_count`), as in `metrics.prom`. Every series carries the
/// scenario's name and seed; request series add type, phase and status or error category — all small,
/// closed sets, so the series stay few. Misroute, upload and threshold figures cover the measured phases,
/// as in the report.
public enum LiveMetricsRenderer {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ frame: LiveFrame) -> String {
        let summary = frame.summary
        var writer = OpenMetricsWriter(format: .prometheusText)
        let run: OpenMetricsWriter.Labels = [("scenario", summary.scenario.name), ("seed", String(summary.scenario.seed))]
        // Names and labels are fixed here, so the writer cannot reject them; `try?` keeps renderers total.
        try? writer.gauge("gauntlet_run_info", help: "Constant 1; the labels describe the run.", samples: [
            (run + [("gauntlet_version", summary.scenario.gauntletVersion), ("target", summary.scenario.target)], 1),
        ])
        try? writer.gauge("gauntlet_run_phase", help: "1 for the phase running now, 0 for the others.", samples: summary.scenario.phases.map {
            (run + [("phase", $0.name), ("warmup", $0.warmup ? "true" : "false")], frame.phase?.name == $0.name ? 1 : 0)
        })
        try? writer.gauge("gauntlet_run_elapsed_seconds", help: "Seconds since the run started.", samples: [(run, frame.elapsed)])
        try? writer.gauge("gauntlet_run_duration_seconds", help: "Seconds the scenario schedules.", samples: [(run, frame.duration)])
        try? writer.gauge("gauntlet_run_finished", help: "1 once the run has ended.", samples: [(run, frame.finished ? 1 : 0)])
        try? writer.gauge("gauntlet_requests_in_flight", help: "Requests sent and not yet answered.", samples: [(run, Double(frame.inFlight))])

        var responses: [(labels: OpenMetricsWriter.Labels, value: Double)] = []
        var errors: [(labels: OpenMetricsWriter.Labels, value: Double)] = []
        var scheduled: [(labels: OpenMetricsWriter.Labels, value: Double)] = []
        var latency: [RunMetricsRenderer.Series] = []
        var service: [RunMetricsRenderer.Series] = []
        for type in summary.requestTypes {
            for phase in type.phases {
                let labels = run + [("type", type.type.rawValue), ("phase", phase.phase)]
                responses += phase.stats.statuses.map { (labels + [("status", String($0.status))], Double($0.count)) }
                errors += phase.stats.errors.map { (labels + [("category", $0.category)], Double($0.count)) }
                if let intended = phase.stats.intendedCount { scheduled.append((labels, intended.rounded(.down))) }
                if let figures = phase.stats.latency { latency.append(RunMetricsRenderer.series(labels, figures)) }
                if let figures = phase.stats.serviceTime { service.append(RunMetricsRenderer.series(labels, figures)) }
            }
        }
        try? writer.counter("gauntlet_responses", help: "Requests answered, by request type, phase and HTTP status (0: no response).", samples: responses)
        try? writer.counter("gauntlet_request_errors", help: "Failed requests by request type, phase and error category.", samples: errors)
        try? writer.counter("gauntlet_requests_scheduled", help: "Requests the open-loop schedule has asked for so far, by type and phase.", samples: scheduled)
        try? writer.summary("gauntlet_latency_seconds", help: "Latency from the intended send time (coordinated-omission-corrected).", unit: "seconds", series: latency)
        try? writer.summary("gauntlet_service_time_seconds", help: "Latency from the actual send time (uncorrected service time).", unit: "seconds", series: service)

        let auth = summary.auth
        try? writer.summary("gauntlet_auth_seconds", help: "Authentication latency by step and by hop.", unit: "seconds",
                            series: (auth.steps.map { ("step", $0) } + auth.hops.map { ("hop", $0) }).compactMap { kind, step in
                                step.latency.map { RunMetricsRenderer.series(run + [("kind", kind), ("step", step.step)], $0) }
                            })
        try? writer.counter("gauntlet_logins", help: "Virtual-user logins.", samples: [(run, Double(auth.logins))])
        try? writer.counter("gauntlet_login_failures", help: "Virtual-user logins that failed.", samples: [(run, Double(auth.loginFailures))])
        try? writer.counter("gauntlet_token_refreshes", help: "Virtual-user token refreshes.", samples: [(run, Double(auth.refreshes))])
        try? writer.counter("gauntlet_misroutes", help: "Responses that broke the routing/auth matrix in the measured phases, by kind (zero is the only pass).",
                            samples: summary.misroutes.kinds.map { (run + [("kind", $0.kind.rawValue)], Double($0.count)) })
        try? writer.gauge("gauntlet_misroutes_observed", help: "Misroutes in the measured phases over every kind (0 until one happens).",
                          samples: [(run, Double(summary.misroutes.total))])
        // Every family is declared in every scrape, with samples where the run has something to count, so
        // that a dashboard's queries always name metrics the endpoint exposes.
        let upload = summary.upload
        try? writer.counter("gauntlet_upload_events", help: "Events acknowledged in the measured phases.", samples: upload.map { [(run, Double($0.events))] } ?? [])
        try? writer.counter("gauntlet_upload_bytes", help: "Upload payload bytes acknowledged in the measured phases.", samples: upload.map { [(run, Double($0.bytes))] } ?? [])
        try? writer.counter("gauntlet_upload_batches", help: "Upload batches acknowledged in the measured phases.", samples: upload.map { [(run, Double($0.batches))] } ?? [])
        try? writer.counter("gauntlet_upload_rejections", help: "Upload batches the gateway refused, by reason.",
                            samples: upload?.rejected.map { (run + [("reason", $0.category)], Double($0.count)) } ?? [])
        try? writer.summary("gauntlet_upload_freshness_seconds", help: "Upload acknowledgement to visibility in search.", unit: "seconds",
                            series: upload?.freshness.map { [RunMetricsRenderer.series(run, $0)] } ?? [])
        // `part` is "total" today; the split into connection wait and generator lag adds its own values.
        try? writer.summary("gauntlet_schedule_lag_seconds", help: "How late requests left against their intended time.", unit: "seconds",
                            series: summary.scheduleLag.lag.map { [RunMetricsRenderer.series(run + [("part", "total")], $0)] } ?? [])
        try? writer.gauge("gauntlet_generator_fell_behind", help: "1 when the generator could not keep to its schedule.",
                          samples: [(run, summary.scheduleLag.fellBehind ? 1 : 0)])
        try? writer.gauge("gauntlet_threshold_passed", help: "1 while the threshold holds on the run so far, 0 when it fails.",
                          samples: summary.thresholds.map { (run + [("threshold", $0.expression)], $0.passed ? 1 : 0) })
        capacity(frame.search, run: run, into: &writer)
        return writer.text
    }

    /// A capacity search's progress; outside `capacity` the families are declared without samples.
    static func capacity(_ search: LiveSearch?, run: OpenMetricsWriter.Labels, into writer: inout OpenMetricsWriter) {
        let done = search?.steps.filter { $0.held != nil } ?? []
        try? writer.counter("gauntlet_capacity_steps", help: "Capacity steps finished, by SLO verdict.", samples: search == nil ? [] : [
            (run + [("verdict", "held")], Double(done.filter { $0.held == true }.count)),
            (run + [("verdict", "failed")], Double(done.filter { $0.held == false }.count)),
        ])
        try? writer.gauge("gauntlet_capacity_step_rate", help: "The offered rate of the step running now (req/s).",
                          samples: search?.steps.last.map { [(run, $0.rate)] } ?? [])
        try? writer.gauge("gauntlet_capacity_knee_low_rate", help: "The highest rate that held so far (req/s).",
                          samples: search?.kneeLow.map { [(run, $0)] } ?? [])
        try? writer.gauge("gauntlet_capacity_knee_high_rate", help: "The lowest rate that failed so far (req/s).",
                          samples: search?.kneeHigh.map { [(run, $0)] } ?? [])
    }
}
