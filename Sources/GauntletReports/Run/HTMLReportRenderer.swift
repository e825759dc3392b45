import Foundation
import GauntletCore
import Histogram

/// `report.html`: one self-contained page (inline CSS and SVG, no script, no network) that puts the
/// verdict first, then rates, latency over time, the percentile spectrum, the auth breakdown,
/// misroutes and errors, and upload throughput.
public enum HTMLReportRenderer {
    public static func render(_ run: RunFiles) -> String {
        let summary = run.summary
        let passed = summary.thresholds.allSatisfy(\.passed) && summary.misroutes.total == 0 && !summary.partial
        var body = header(summary, passed: passed)
        body += section("Thresholds", thresholdTable(summary))
        body += section("Request types (measured phases)", typeTable(summary))
        body += section("Throughput", rateChart(run))
        body += section("Latency over time", latencyChart(run))
        body += section("Percentile spectrum", spectrumChart(run))
        body += section("Authentication", authSection(summary))
        body += section("Routing correctness", misrouteSection(summary))
        body += section("Errors", errorSection(summary))
        if let upload = summary.upload { body += section("Uploads", uploadSection(upload)) }
        body += section("Schedule lag", lagSection(summary.scheduleLag))
        if let merge = summary.merge { body += section("Shards", shardSection(merge)) }
        let footer = "Gauntlet \(escape(summary.scenario.gauntletVersion)) · schema \(summary.schemaVersion) · regenerate with <code>gauntlet report \(escape(run.directory))</code>"
        return page(title: "Gauntlet · \(escape(summary.scenario.name)) · \(passed ? "PASS" : "FAIL")", css: css, body: body, footer: footer)
    }

    /// The page around a report's sections (title and footer already escaped).
    static func page(title: String, css: String, body: String, footer: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title)</title>
        <style>\(css)</style>
        </head>
        <body>
        \(body)<footer>\(footer)</footer>
        </body>
        </html>

        """
    }

    static let css = """
    :root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--ink:#1f2328;--muted:#656d76;--line:#d0d7de;--soft:#f6f8fa}
    *{box-sizing:border-box}body{margin:0 auto;max-width:1040px;padding:24px;font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink)}
    h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
    .verdict{display:inline-block;padding:2px 12px;border-radius:14px;color:#fff;font-weight:700;margin-left:8px;vertical-align:middle;font-size:14px}
    .pass{background:var(--ok)}.fail{background:var(--bad)}.meta{color:var(--muted)}.meta span{margin-right:16px}
    .warnings{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:8px 12px;margin-top:12px}
    table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:right}
    th{background:var(--soft);font-weight:600}td:first-child,th:first-child{text-align:left}td.text,th.text{text-align:left}
    .ok{color:var(--ok);font-weight:600}.bad{color:var(--bad);font-weight:600}.muted{color:var(--muted)}
    svg.chart{width:100%;max-width:960px;height:auto;display:block;margin:8px 0}footer{margin-top:32px;color:var(--muted);font-size:12px}
    code{background:var(--soft);padding:1px 4px;border-radius:4px}
    """

    static func escape(_ text: String) -> String { SVG.escape(text) }

    static func section(_ title: String, _ content: String) -> String {
        "<section><h2>\(escape(title))</h2>\n\(content)</section>\n"
    }

    static func duration(_ seconds: Double?) -> String {
        guard let seconds else { return "<span class=\"muted\">–</span>" }
        return ChartFormat.duration.format(seconds)
    }

    static func number(_ value: Double, decimals: Int = 1) -> String {
        ChartFormat.trim(value, decimals)
    }

    static func table(_ headers: [String], _ rows: [[String]], textColumns: Set<Int> = [0]) -> String {
        guard !rows.isEmpty else { return "<p class=\"muted\">none</p>\n" }
        var out = "<table><thead><tr>"
        for (index, header) in headers.enumerated() {
            out += "<th\(textColumns.contains(index) ? " class=\"text\"" : "")>\(escape(header))</th>"
        }
        out += "</tr></thead><tbody>\n"
        for row in rows {
            out += "<tr>" + row.enumerated().map { index, cell in "<td\(textColumns.contains(index) ? " class=\"text\"" : "")>\(cell)</td>" }.joined() + "</tr>\n"
        }
        return out + "</tbody></table>\n"
    }

    static func header(_ summary: RunSummary, passed: Bool) -> String {
        var out = "<header><h1>\(escape(summary.scenario.name))<span class=\"verdict \(passed ? "pass" : "fail")\">\(passed ? "PASS" : "FAIL")</span></h1>\n"
        if let description = summary.scenario.description { out += "<p>\(escape(description))</p>\n" }
        out += "<div class=\"meta\"><span>started \(escape(summary.startedAt))</span><span>\(number(summary.elapsed)) s run, \(number(summary.measuredDuration)) s measured</span>"
        out += "<span>target \(escape(summary.scenario.target))</span><span>seed \(summary.scenario.seed)</span>"
        out += "<span>\(escape(summary.machine.hostname)), \(summary.machine.cpus) CPUs</span></div>\n"
        let failed = summary.thresholds.filter { !$0.passed }.count
        out += "<p>\(summary.thresholds.count - failed) of \(summary.thresholds.count) thresholds held; \(summary.misroutes.total) misroutes; "
        out += "\(summary.all.count) requests, \(number(summary.all.errorRate * 100, decimals: 2))% failed.</p>\n"
        var warnings = summary.warnings
        if summary.partial { warnings.insert("The run ended early: \(summary.partialReason ?? "unknown reason"). Figures cover the part that ran.", at: 0) }
        if summary.scheduleLag.fellBehind, let message = summary.scheduleLag.message, !warnings.contains(message) { warnings.append(message) }
        if !warnings.isEmpty {
            out += "<div class=\"warnings\"><strong>Warnings</strong><ul>" + warnings.map { "<li>\(escape($0))</li>" }.joined() + "</ul></div>\n"
        }
        return out + "</header>\n"
    }

    static func thresholdTable(_ summary: RunSummary) -> String {
        let rows = summary.thresholds.map { threshold -> [String] in
            let kind = MetricCatalog.kind(of: threshold.metric) ?? .number
            let measured = threshold.measured.map { Threshold.format($0, kind) } ?? "no samples"
            return ["<code>\(escape(threshold.expression))</code>", escape(measured),
                    threshold.passed ? "<span class=\"ok\">held</span>" : "<span class=\"bad\">FAILED</span>"]
        }
        return table(["threshold", "measured", "verdict"], rows)
    }

    static func typeTable(_ summary: RunSummary) -> String {
        var rows: [[String]] = []
        for type in summary.requestTypes {
            let stats = type.total
            rows.append([
                type.type.rawValue, String(stats.count), String(stats.ok), stats.failed > 0 ? "<span class=\"bad\">\(stats.failed)</span>" : "0",
                String(stats.rejected), stats.intendedRate.map { number($0) } ?? "–", number(stats.achievedRate),
                duration(stats.latency?.p50), duration(stats.latency?.p90), duration(stats.latency?.p99), duration(stats.latency?.p99_9),
                duration(stats.latency?.max), duration(stats.serviceTime?.p99),
            ])
        }
        return table(["type", "requests", "ok", "failed", "rejected", "target/s", "achieved/s", "p50", "p90", "p99", "p99.9", "max", "service p99"], rows)
            + "<p class=\"muted\">Latency is measured from each request's intended send time (coordinated-omission-corrected); service time from the actual send.</p>\n"
    }

    static func types(_ run: RunFiles) -> [RequestType] {
        run.summary.requestTypes.map(\.type)
    }

    static func rateChart(_ run: RunFiles) -> String {
        guard !run.timeSeries.isEmpty else { return "<p class=\"muted\">no per-second series in this run</p>\n" }
        var series: [ChartSeries] = []
        for (color, type) in types(run).enumerated() {
            let points = run.timeSeries.filter { $0.type == type }.sorted { $0.second < $1.second }
            series.append(ChartSeries(name: "\(type.rawValue) achieved", points: points.map { ChartPoint(Double($0.second), Double($0.count)) }, colorIndex: color))
            let intended = points.compactMap { point in point.intendedRate.map { ChartPoint(Double(point.second), $0) } }
            if !intended.isEmpty { series.append(ChartSeries(name: "\(type.rawValue) target", points: intended, dashed: true, colorIndex: color)) }
        }
        return LineChart(title: "Achieved vs target rate", xTitle: "elapsed (s)", yTitle: "requests per second", yFormat: .rate("req/s"), series: series).svg + "\n"
    }

    static func latencyChart(_ run: RunFiles) -> String {
        guard !run.timeSeries.isEmpty else { return "<p class=\"muted\">no per-second series in this run</p>\n" }
        var series: [ChartSeries] = []
        for (color, type) in types(run).enumerated() {
            let points = run.timeSeries.filter { $0.type == type }.sorted { $0.second < $1.second }
            series.append(ChartSeries(name: "\(type.rawValue) p50", points: points.compactMap { p in p.p50.map { ChartPoint(Double(p.second), $0) } }, dashed: true, colorIndex: color))
            series.append(ChartSeries(name: "\(type.rawValue) p99", points: points.compactMap { p in p.p99.map { ChartPoint(Double(p.second), $0) } }, colorIndex: color))
        }
        return LineChart(title: "Latency percentiles per second", xTitle: "elapsed (s)", yTitle: "latency", yFormat: .duration, yScale: .log, series: series).svg + "\n"
    }

    /// The spectrum from the interval histograms of the measured phases when the run has them, else
    /// from the summary's percentiles.
    static func spectrumChart(_ run: RunFiles) -> String {
        let measured = Set(run.summary.scenario.phases.filter { !$0.warmup }.map(\.name))
        var series: [PercentileSpectrumChart.Series] = []
        for type in run.summary.requestTypes {
            var merged: LatencyHistogram?
            for interval in run.intervals where interval.type == type.type && measured.contains(interval.phase) && interval.corrected.totalCount > 0 {
                if merged == nil { merged = interval.corrected.histogram() } else { merged?.add(interval.corrected.histogram()) }
            }
            if let merged {
                var points: [(percentile: Double, value: Double)] = []
                for step in merged.percentiles(ticksPerHalfDistance: 5) {
                    points.append((min(step.percentile, 100), Double(step.value) / 1e6))
                    if step.percentile >= 100 { break }
                }
                series.append(.init(name: type.type.rawValue, points: points))
            } else if let latency = type.total.latency {
                series.append(.init(name: type.type.rawValue, points: [
                    (0, latency.min), (50, latency.p50), (75, latency.p75), (90, latency.p90), (95, latency.p95), (99, latency.p99),
                    (99.9, latency.p99_9), (99.99, latency.p99_99), (100, latency.max),
                ]))
            }
        }
        return PercentileSpectrumChart(title: "Latency by percentile (measured phases)", series: series).svg + "\n"
    }

    static func authSection(_ summary: RunSummary) -> String {
        let auth = summary.auth
        var out = "<p>\(auth.logins) logins, \(auth.loginFailures) failed, \(auth.refreshes) refreshes.</p>\n"
        let rows = (auth.steps.map { ("step", $0) } + auth.hops.map { ("hop", $0) }).compactMap { kind, step -> [String]? in
            guard let latency = step.latency else { return nil }
            return [escape(step.step), kind, String(latency.count), duration(latency.p50), duration(latency.p90), duration(latency.p99), duration(latency.max)]
        }
        out += table(["step", "kind", "samples", "p50", "p90", "p99", "max"], rows, textColumns: [0, 1])
        let hopNames = ["dns", "connect", "tls", "lb", "target"]
        let labels = ["DNS", "TCP connect", "TLS", "LB auth", "target"]
        let hops = Dictionary(auth.hops.map { ($0.step, $0.latency) }, uniquingKeysWith: { first, _ in first })
        if hopNames.contains(where: { hops[$0] != nil }) {
            let bars = [("p50", \LatencyPercentiles.p50), ("p90", \LatencyPercentiles.p90), ("p99", \LatencyPercentiles.p99)].map { label, path in
                StackedBarChart.Bar(label: "request \(label)", segments: hopNames.map { (hops[$0] ?? nil)?[keyPath: path] ?? 0 })
            }
            out += StackedBarChart(title: "Per-hop time of a request (LB auth and target from Server-Timing)", segmentNames: labels, bars: bars, valueTitle: "time").svg + "\n"
        }
        return out
    }

    static func misrouteSection(_ summary: RunSummary) -> String {
        let misroutes = summary.misroutes
        guard misroutes.total > 0 else {
            return "<p class=\"ok\">No misroutes: every response matched the routing/auth matrix.</p>\n"
        }
        var out = "<p class=\"bad\">\(misroutes.total) responses broke the routing/auth matrix (\(number(misroutes.rate * 100, decimals: 3))% of checked responses).</p>\n"
        out += table(["kind", "count"], misroutes.kinds.map { [escape($0.kind.rawValue), String($0.count)] })
        let examples = misroutes.kinds.flatMap(\.examples).prefix(20)
        out += "<h3>Examples</h3>\n" + table(
            ["at (s)", "kind", "request", "as", "status", "served by", "expected"],
            examples.map { example in
                [number(example.at, decimals: 3), escape(example.kind.rawValue), "<code>\(escape(example.method)) \(escape(example.path))</code>",
                 escape(example.role ?? "anonymous"), String(example.status), escape(example.servedBy ?? "–"), escape(example.expected)]
            },
            textColumns: [1, 2, 3, 5, 6]
        )
        return out
    }

    static func errorSection(_ summary: RunSummary) -> String {
        var rows: [[String]] = []
        for type in summary.requestTypes {
            for error in type.total.errors where error.count > 0 {
                rows.append([type.type.rawValue, escape(error.category), String(error.count),
                             number(Double(error.count) / Double(max(type.total.count, 1)) * 100, decimals: 3) + "%"])
            }
        }
        var out = table(["type", "category", "count", "of requests"], rows, textColumns: [0, 1])
        let statuses = summary.requestTypes.flatMap { type in type.total.statuses.map { [type.type.rawValue, String($0.status), String($0.count)] } }
        out += "<h3>Responses by status</h3>\n" + table(["type", "status", "count"], statuses)
        return out
    }

    static func uploadSection(_ upload: UploadSummary) -> String {
        var out = table(["batches", "events", "events/s", "MB/s", "rejected"], [[
            String(upload.batches), String(upload.events), number(upload.eventsPerSecond), number(upload.mbPerSecond, decimals: 3), String(upload.rejectedTotal),
        ]], textColumns: [])
        if !upload.rejected.isEmpty {
            out += table(["rejected because", "count"], upload.rejected.map { [escape($0.category), String($0.count)] })
        }
        if let freshness = upload.freshness {
            out += "<p>Freshness (acknowledged → visible in search): p50 \(duration(freshness.p50)), p99 \(duration(freshness.p99)), max \(duration(freshness.max)) over \(freshness.count) samples.</p>\n"
        } else {
            out += "<p class=\"muted\">Freshness was not sampled in this run.</p>\n"
        }
        return out
    }

    static func lagSection(_ lag: ScheduleLagSummary) -> String {
        guard let figures = lag.lag else { return "<p class=\"muted\">no samples</p>\n" }
        var verdict = lag.fellBehind
            ? "<p class=\"bad\">The generator fell behind its schedule: \(escape(lag.message ?? "the load asked for was not delivered")).</p>\n"
            : "<p class=\"ok\">The generator kept up with its schedule.</p>\n"
        if let message = lag.connectionMessage {
            let significant = (lag.connectionWait?.p99 ?? 0) > ScheduleLagSummary.generatorLagLimit
            verdict += "<p class=\"\(significant ? "bad" : "muted")\">\(escape(message)).</p>\n"
        }
        func row(_ name: String, _ figures: LatencyPercentiles) -> [String] {
            [name, String(figures.count), duration(figures.p50), duration(figures.p99), duration(figures.p99_9), duration(figures.max)]
        }
        guard lag.generatorLag != nil || lag.connectionWait != nil else {
            // Schema 1 results: one lag, not split.
            return verdict + table(["samples", "p50", "p99", "p99.9", "max"], [Array(row("", figures).dropFirst())], textColumns: [])
        }
        var rows = [row("schedule lag (all)", figures)]
        if let own = lag.generatorLag { rows.append(row("generator lag (a connection free)", own)) }
        if let wait = lag.connectionWait { rows.append(row("connection wait (the target held every connection)", wait)) }
        return verdict + table(["", "samples", "p50", "p99", "p99.9", "max"], rows, textColumns: [0])
    }
}
