import Foundation
import GauntletCore

/// The live page of `--live`: one self-contained document (inline CSS, SVG and a few lines of script, no
/// network but its own server) whose body is redrawn each second from `/events`.
///
/// Its sections are `report.html`'s own (`HTMLReportRenderer`), fed the run so far, so the live page and
/// the final report draw the same charts from the same figures. The page arrives with the current frame
/// already in it: it reads without script, and a late reader sees the whole run so far at once.
public enum LivePageRenderer {
    /// The whole page, with `frame` drawn in it.
    public static func page(_ frame: LiveFrame) -> String {
        document(title: "Gauntlet live · \(HTMLReportRenderer.escape(frame.summary.scenario.name))", body: fragment(frame),
                 version: frame.summary.scenario.gauntletVersion)
    }

    /// The page before the run's first second is in: the first frame replaces the notice.
    public static let waitingPage = document(
        title: "Gauntlet live", body: "<p class=\"muted\">The run is starting: its first figures arrive within a second.</p>\n", version: nil)

    static func document(title: String, body: String, version: String?) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title)</title>
        <style>\(HTMLReportRenderer.css)\(css)</style>
        </head>
        <body>
        <main id="live">\(body)</main>
        <footer>Gauntlet\(version.map { " " + HTMLReportRenderer.escape($0) } ?? "") · live view: redrawn each second from <code>/events</code>; Prometheus metrics at <code>/metrics</code> · <span id="link">connecting…</span></footer>
        <script>\(script)</script>
        </body>
        </html>

        """
    }

    /// The page's body for one frame: what each `/events` message carries.
    public static func fragment(_ frame: LiveFrame) -> String {
        let summary = frame.summary
        let run = RunFiles(directory: "live", summary: summary, timeSeries: frame.timeSeries)
        var body = header(frame)
        if let search = frame.search { body += HTMLReportRenderer.section("Capacity search so far", searchSection(search)) }
        body += HTMLReportRenderer.section("Requests so far, by phase", phaseTable(frame))
        body += HTMLReportRenderer.section("Throughput", HTMLReportRenderer.rateChart(run))
        body += HTMLReportRenderer.section("Latency over time", HTMLReportRenderer.latencyChart(run))
        body += HTMLReportRenderer.section("Thresholds so far", HTMLReportRenderer.thresholdTable(summary))
        body += HTMLReportRenderer.section("Request types (measured phases)", HTMLReportRenderer.typeTable(summary))
        body += HTMLReportRenderer.section("Errors", HTMLReportRenderer.errorSection(summary))
        body += HTMLReportRenderer.section("Routing correctness", HTMLReportRenderer.misrouteSection(summary))
        body += HTMLReportRenderer.section("Authentication", HTMLReportRenderer.authSection(summary))
        if let upload = summary.upload { body += HTMLReportRenderer.section("Uploads", HTMLReportRenderer.uploadSection(upload)) }
        body += HTMLReportRenderer.section("Schedule lag", HTMLReportRenderer.lagSection(summary.scheduleLag))
        body += HTMLReportRenderer.section("Percentile spectrum", HTMLReportRenderer.spectrumChart(run))
        return body
    }

    static let css = """
    .live{background:#0969da}.bar{height:8px;background:var(--soft);border:1px solid var(--line);border-radius:4px;margin:8px 0;overflow:hidden}
    .bar div{height:100%;background:#0969da}
    """

    /// Replaces the body with each frame; after the last one (`end`) it stops listening. EventSource
    /// reconnects by itself when the connection drops while the run goes on.
    static let script = """
    (function(){var main=document.getElementById('live'),link=document.getElementById('link');
    if(!window.EventSource){link.textContent='this browser cannot follow the run: reload to update';return;}
    var source=new EventSource('events');
    source.addEventListener('frame',function(e){main.innerHTML=e.data;link.textContent='live';});
    source.addEventListener('end',function(e){main.innerHTML=e.data;link.textContent='the run has ended';source.close();});
    source.onerror=function(){link.textContent=source.readyState===2?'disconnected':'reconnecting…';};})();
    """

    static func header(_ frame: LiveFrame) -> String {
        let summary = frame.summary
        let passed = RunReport.passed(summary)
        let badge = frame.finished ? (passed ? "<span class=\"verdict pass\">PASS</span>" : "<span class=\"verdict fail\">FAIL</span>") : "<span class=\"verdict live\">LIVE</span>"
        var out = "<header><h1>\(HTMLReportRenderer.escape(summary.scenario.name))\(badge)</h1>\n"
        let phase = frame.phase.map { "phase \(HTMLReportRenderer.escape($0.name))\($0.warmup ? " (warm-up)" : "")" } ?? (frame.finished ? "ended" : "between phases")
        out += "<div class=\"meta\"><span>\(HTMLReportRenderer.number(frame.elapsed)) s of \(HTMLReportRenderer.number(frame.duration)) s</span><span>\(phase)</span>"
        out += "<span>target \(HTMLReportRenderer.escape(summary.scenario.target))</span><span>seed \(summary.scenario.seed)</span><span>started \(HTMLReportRenderer.escape(summary.startedAt))</span></div>\n"
        let done = frame.duration > 0 ? min(1, max(0, frame.elapsed / frame.duration)) : 1
        out += "<div class=\"bar\"><div style=\"width:\(HTMLReportRenderer.number(done * 100, decimals: 2))%\"></div></div>\n"
        out += "<p id=\"counts\" data-requests=\"\(frame.requestCount)\" data-failed=\"\(frame.failedCount)\" data-misroutes=\"\(summary.misroutes.total)\" data-elapsed=\"\(HTMLReportRenderer.number(frame.elapsed))\">"
        out += "\(frame.requestCount) requests so far (warm-up included), \(frame.failedCount) failed, \(summary.misroutes.total) misroutes, \(frame.inFlight) in flight.</p>\n"
        if summary.scheduleLag.fellBehind, let message = summary.scheduleLag.message {
            out += "<div class=\"warnings\">\(HTMLReportRenderer.escape(message))</div>\n"
        }
        return out + "</header>\n"
    }

    /// Every phase that has begun, warm-up included: the counts grow from the first second.
    static func phaseTable(_ frame: LiveFrame) -> String {
        var rows: [[String]] = []
        for type in frame.summary.requestTypes {
            for phase in type.phases {
                guard let info = frame.summary.scenario.phases.first(where: { $0.name == phase.phase }), info.start <= frame.elapsed else { continue }
                let stats = phase.stats
                rows.append([
                    type.type.rawValue, HTMLReportRenderer.escape(phase.phase) + (phase.warmup ? " <span class=\"muted\">warm-up</span>" : ""),
                    String(stats.count), stats.failed > 0 ? "<span class=\"bad\">\(stats.failed)</span>" : "0",
                    stats.intendedRate.map { HTMLReportRenderer.number($0) } ?? "–", HTMLReportRenderer.number(stats.achievedRate),
                    HTMLReportRenderer.duration(stats.latency?.p50), HTMLReportRenderer.duration(stats.latency?.p99),
                ])
            }
        }
        return HTMLReportRenderer.table(["type", "phase", "requests", "failed", "target/s", "achieved/s", "p50", "p99"], rows, textColumns: [0, 1])
    }

    static func searchSection(_ search: LiveSearch) -> String {
        var out = ""
        if let verdict = search.verdict { out += "<p><strong>\(HTMLReportRenderer.escape(verdict))</strong></p>\n" }
        let low = search.kneeLow.map { HTMLReportRenderer.number($0) + " req/s held" } ?? "nothing held yet"
        let high = search.kneeHigh.map { HTMLReportRenderer.number($0) + " req/s failed" } ?? "nothing failed yet"
        out += "<p>Knee between \(low) and \(high).</p>\n"
        let rows = search.steps.enumerated().map { index, step -> [String] in
            let verdict = step.held.map { $0 ? "<span class=\"ok\">held</span>" : "<span class=\"bad\">failed</span>" } ?? "<span class=\"muted\">running</span>"
            return [String(index + 1), HTMLReportRenderer.number(step.rate), step.achievedRate.map { HTMLReportRenderer.number($0) } ?? "–",
                    HTMLReportRenderer.duration(step.p99), verdict, HTMLReportRenderer.escape(step.note ?? "")]
        }
        out += HTMLReportRenderer.table(["step", "offered/s", "achieved/s", "p99", "SLO", "note"], rows, textColumns: [4, 5])
        let offered = search.steps.enumerated().map { ChartPoint(Double($0.offset + 1), $0.element.rate) }
        let achieved = search.steps.enumerated().compactMap { index, step in step.achievedRate.map { ChartPoint(Double(index + 1), $0) } }
        out += LineChart(title: "Offered and achieved rate by step", xTitle: "step", yTitle: "requests per second", xFormat: .number(nil), yFormat: .rate("req/s"),
                         series: [ChartSeries(name: "offered", points: offered, dashed: true, colorIndex: 0), ChartSeries(name: "achieved", points: achieved, colorIndex: 0)]).svg + "\n"
        return out
    }
}
