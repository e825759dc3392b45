import Foundation
import GauntletCore

/// `report.html` of a capacity search: the answer first, then latency against throughput (p50 and p99
/// per step, the SLO line, the knee marked), offered against achieved load, the per-hop breakdown at
/// each step, the model's fit, and every step's verdict. Self-contained: inline CSS and SVG, no script.
public enum CapacityReportRenderer {
    public static func render(_ result: CapacityResult, directory: String) -> String {
        let found = result.outcome == .knee || result.outcome == .aboveMaximum
        var body = "<h1>Capacity · \(escape(result.scenario))<span class=\"verdict \(found && result.headroomHolds ? "pass" : "fail")\">\(escape(badge(result)))</span></h1>\n"
        body += "<p class=\"answer\">\(escape(result.verdict))</p>\n"
        body += "<p class=\"meta\"><span>started \(escape(result.startedAt))</span><span>search took \(escape(Quantity.format(seconds: (result.elapsed).rounded())))</span>"
        body += "<span>\(result.steps.count) steps</span><span>\(result.machine.cpus) cores</span></p>\n"
        if let bottleneck = result.bottleneck {
            body += section("Bottleneck", "<p>\(escape(bottleneck.text))</p>\n" + (bottleneck.component.map { "<p class=\"meta\">component: <strong>\(escape($0))</strong></p>\n" } ?? ""))
        }
        body += section("Latency against throughput", latencyChart(result))
        body += section("Offered against achieved load", loadChart(result))
        body += section("Where the time went, per hop (p99)", hopChart(result) + hopTable(result))
        body += section("Model", fitSection(result))
        body += section("Steps", stepTable(result))
        let footer = "Gauntlet capacity · schema \(result.schemaVersion) · each step's full summary is in <code>\(escape(directory))/capacity.json</code>"
        return HTMLReportRenderer.page(title: "Gauntlet capacity · \(escape(result.scenario)) · \(escape(badge(result)))",
                                       css: HTMLReportRenderer.css + " .answer{font-size:16px;font-weight:600}", body: body, footer: footer)
    }

    static func badge(_ result: CapacityResult) -> String {
        switch result.outcome {
        case .knee: "\(CapacityFormat.rate(result.capacity ?? 0)) req/s"
        case .aboveMaximum: "≥ \(CapacityFormat.rate(result.capacity ?? 0)) req/s"
        case .generatorBound: "GENERATOR-BOUND"
        case .sloFailsAtStart: "SLO FAILS AT START"
        case .failed: "FAILED"
        }
    }

    static func escape(_ text: String) -> String { SVG.escape(text) }
    static func section(_ title: String, _ content: String) -> String { HTMLReportRenderer.section(title, content) }

    /// The steps in rate order, generator-bound ones left out of the curves (their latency is the generator's).
    static func curve(_ result: CapacityResult) -> [CapacityStep] {
        result.steps.filter { !$0.generator.bound }.sorted { ($0.rate, $0.index) < ($1.rate, $1.index) }
    }

    /// The SLO's latency limit to draw: the tightest `latency.*.p99` (or any latency) threshold.
    static func sloLine(_ result: CapacityResult) -> (String, Double)? {
        let limits = result.steps.first?.summary.thresholds.filter { $0.metric.hasPrefix("latency.") } ?? []
        return limits.min { $0.limit < $1.limit }.map { ($0.expression, $0.limit) }
    }

    static func latencyChart(_ result: CapacityResult) -> String {
        let steps = curve(result)
        var series = [
            ChartSeries(name: "p50", points: steps.compactMap { step in step.summary.all.latency.map { ChartPoint(step.achievedRate, $0.p50) } }, colorIndex: 0),
            ChartSeries(name: "p99", points: steps.compactMap { step in step.summary.all.latency.map { ChartPoint(step.achievedRate, $0.p99) } }, colorIndex: 4),
        ]
        let xs = steps.map(\.achievedRate)
        if let (expression, limit) = sloLine(result), let low = xs.min(), let high = xs.max() {
            series.append(ChartSeries(name: "SLO \(expression)", points: [ChartPoint(low, limit), ChartPoint(high, limit)], dashed: true, colorIndex: 7))
        }
        let top = (series.flatMap(\.points).map(\.y).max() ?? 0)
        if let knee = result.knee {
            series.append(ChartSeries(name: "knee \(CapacityFormat.rate(knee.rate)) req/s", points: [ChartPoint(knee.rate, 0), ChartPoint(knee.rate, top)], dashed: true, colorIndex: 2))
        }
        return LineChart(title: "Latency (from intended send time) against achieved throughput", xTitle: "achieved req/s", yTitle: "latency",
                         xFormat: .rate("req/s"), yFormat: .duration, series: series).svg
    }

    static func loadChart(_ result: CapacityResult) -> String {
        let steps = result.steps.sorted { ($0.rate, $0.index) < ($1.rate, $1.index) }
        let series = [
            ChartSeries(name: "achieved", points: steps.map { ChartPoint($0.rate, $0.achievedRate) }, colorIndex: 0),
            ChartSeries(name: "offered (ideal)", points: steps.map { ChartPoint($0.rate, $0.rate) }, dashed: true, colorIndex: 7),
        ]
        return LineChart(title: "Achieved against offered load", xTitle: "offered req/s", yTitle: "achieved",
                         xFormat: .rate("req/s"), yFormat: .rate("req/s"), series: series).svg
    }

    static func hopNames(_ steps: [CapacityStep]) -> [String] {
        CapacityHop.names.filter { name in steps.contains { $0.hop(name) != nil } }
    }

    static func hopChart(_ result: CapacityResult) -> String {
        let steps = curve(result)
        let series = hopNames(steps).enumerated().map { index, name in
            ChartSeries(name: CapacityHop.label(of: name), points: steps.compactMap { step in step.hop(name).map { ChartPoint(step.rate, $0.p99) } }, colorIndex: index)
        }
        return LineChart(title: "p99 per hop against offered load", xTitle: "offered req/s", yTitle: "p99",
                         xFormat: .rate("req/s"), yFormat: .duration, yScale: .log, series: series).svg
    }

    static func hopTable(_ result: CapacityResult) -> String {
        let steps = result.steps.sorted { ($0.rate, $0.index) < ($1.rate, $1.index) }
        let names = hopNames(steps)
        let rows = steps.map { step in
            ["\(step.index)", CapacityFormat.rate(step.rate)] + names.map { name in
                step.hop(name).map { ChartFormat.duration.format($0.p99) } ?? "<span class=\"muted\">–</span>"
            } + ["\(step.signals.uploadThrottled)", "\(step.signals.loginFailures)", "\(step.signals.lbErrors)"]
        }
        return HTMLReportRenderer.table(["step", "offered req/s"] + names.map(CapacityHop.label(of:)) + ["429s", "login failures", "LB 5xx"], rows, textColumns: [])
    }

    static func fitSection(_ result: CapacityResult) -> String {
        guard let fit = result.fit else { return "<p class=\"muted\">too few steps to fit a model</p>\n" }
        var out = "<p class=\"\(fit.trusted ? "ok" : "bad")\">\(escape(fit.verdict))</p>\n"
        out += String(format: "<p class=\"meta\">Universal Scalability Law: λ = %.3g req/s per request in flight, σ = %.3g (contention), κ = %.3g (coherence)</p>\n", fit.lambda, fit.sigma, fit.kappa)
        return out
    }

    static func stepTable(_ result: CapacityResult) -> String {
        let rows = result.steps.map { step -> [String] in
            let latency = step.summary.all.latency
            return [
                "\(step.index)", CapacityFormat.rate(step.rate), CapacityFormat.rate(step.achievedRate),
                latency.map { ChartFormat.duration.format($0.p50) } ?? "–", latency.map { ChartFormat.duration.format($0.p99) } ?? "–",
                String(format: "%.0f%%", step.generator.workerCpu * 100),
                step.generator.bound ? "<span class=\"bad\">generator-bound</span>" : step.held ? "<span class=\"ok\">held</span>" : "<span class=\"bad\">broke</span>",
                escape(step.breaches.joined(separator: "; ")),
            ]
        }
        return HTMLReportRenderer.table(["step", "offered req/s", "achieved req/s", "p50", "p99", "generator CPU", "SLO", "why"], rows, textColumns: [6, 7])
    }
}
