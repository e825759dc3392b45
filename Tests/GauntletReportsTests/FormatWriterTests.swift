import Foundation
import Testing
@testable import GauntletReports

@Suite("OpenMetrics and JUnit writers")
struct FormatWriterTests {
    @Test func openMetricsGolden() throws {
        var writer = OpenMetricsWriter()
        try writer.gauge("gauntlet_run_requests", help: "Requests sent in the run, by request type.", samples: [
            ([("type", "upload")], 1200), ([("type", "ui")], 300), ([("type", "api")], 2400),
        ])
        try writer.summary("gauntlet_latency_seconds", help: "Latency from the intended send time (corrected).", unit: "seconds", series: [
            ([("type", "ui"), ("phase", "steady")], [(0.5, 0.0123), (0.99, 0.25), (0.999, 1.5)], 4.5, 300),
        ])
        try writer.gauge("gauntlet_threshold_passed", help: "1 when the threshold held, else 0.", samples: [
            ([("threshold", #"latency.ui.p99 < 250ms"#)], 1), ([("threshold", "weird \"quoted\" \\ value\nnext")], 0),
        ])
        try writer.gauge("gauntlet_run_misroutes", help: "Responses that broke the routing/auth matrix.", samples: [([], 0)])
        Golden.check(writer.text, "writer.metrics.prom")
        #expect(writer.text.hasSuffix("# EOF\n"))
    }

    @Test func openMetricsRejectsBadNames() {
        var writer = OpenMetricsWriter()
        #expect(throws: OpenMetricsWriter.InvalidName(name: "9lives")) { try writer.gauge("9lives", help: "x", samples: []) }
        #expect(throws: OpenMetricsWriter.InvalidName(name: "bad-label")) {
            try writer.gauge("ok_metric", help: "x", samples: [([("bad-label", "v")], 1)])
        }
        #expect(throws: OpenMetricsWriter.InvalidName(name: "latency_ms")) {
            try writer.gauge("latency_ms", help: "x", unit: "seconds", samples: [])
        }
        #expect(OpenMetricsWriter.number(.infinity) == "+Inf")
        #expect(OpenMetricsWriter.number(.nan) == "NaN")
        #expect(OpenMetricsWriter.number(3) == "3")
        #expect(OpenMetricsWriter.number(0.25) == "0.25")
    }

    @Test func junitGolden() {
        let report = JUnitReport(name: "gauntlet", suites: [
            JUnitReport.Suite(name: "smoke: thresholds", timestamp: "2026-11-29T00:12:03", time: 60,
                              properties: [("seed", "42"), ("gauntlet.version", "0.1.0")], cases: [
                JUnitReport.TestCase(classname: "gauntlet.thresholds", name: "latency.ui.p99 < 250ms", outcome: .passed, systemOut: "measured 187ms"),
                JUnitReport.TestCase(classname: "gauntlet.thresholds", name: "errors.rate < 0.1%",
                                     outcome: .failed(message: "measured 0.4%, limit < 0.1%", type: "threshold", details: "errors.rate < 0.1%: measured 0.4% — FAILED")),
                JUnitReport.TestCase(classname: "gauntlet.routing", name: "routing.misroutes == 0", outcome: .passed),
                JUnitReport.TestCase(classname: "gauntlet.thresholds", name: "upload.freshness.p99 < 2s", outcome: .error(message: "no samples", type: "no-data", details: "")),
                JUnitReport.TestCase(classname: "gauntlet.thresholds", name: "odd <&> \u{07} name", outcome: .skipped(message: "phase not run")),
            ]),
        ])
        #expect(report.tests == 5)
        #expect(report.failures == 1)
        #expect(report.errors == 1)
        Golden.check(report.xml, "writer.junit.xml")
    }

    @Test func junitTimesAndEscaping() {
        #expect(JUnitReport.seconds(1.2345) == "1.235")
        #expect(JUnitReport.seconds(0) == "0.000")
        #expect(JUnitReport.escape("a<b & \"c\"\u{01}") == "a&lt;b &amp; &quot;c&quot;\u{FFFD}")
    }
}

@Suite("SVG chart primitives")
struct SVGChartTests {
    @Test func scalesAndTicks() {
        let linear = ChartScale(domain: (0, 1), range: (100, 0))
        #expect(linear.position(0.25) == 75)
        #expect(linear.ticks(target: 5) == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
        let log = ChartScale(kind: .log, domain: (0.001, 10), range: (0, 400))
        #expect(log.ticks() == [0.001, 0.01, 0.1, 1, 10])
        #expect(log.position(0.1) == 200)
        #expect(ChartScale.niceUpper(0.237) == 0.25)
        #expect(ChartScale.niceUpper(1234) == 1500)
    }

    @Test func formatsNameTheirUnits() {
        #expect(ChartFormat.duration.format(0.0123) == "12.3 ms")
        #expect(ChartFormat.duration.format(0.000_45) == "450 µs")
        #expect(ChartFormat.duration.format(2.5) == "2.5 s")
        #expect(ChartFormat.percent.format(0.004) == "0.4%")
        #expect(ChartFormat.rate("req/s").format(25_000) == "25k req/s")
    }

    @Test func percentileStretchIsLogTowardsOneHundred() {
        #expect(PercentileSpectrumChart.stretch(0, maxNines: 5) == 0)
        #expect(abs(PercentileSpectrumChart.stretch(99, maxNines: 5) - 2) < 1e-9)
        #expect(abs(PercentileSpectrumChart.stretch(99.9, maxNines: 5) - 3) < 1e-9)
        #expect(PercentileSpectrumChart.stretch(100, maxNines: 5) == 5)
    }

    @Test func chartsGolden() {
        let line = LineChart(title: "Latency over time", xTitle: "elapsed (s)", yTitle: "latency", yFormat: .duration, series: [
            ChartSeries(name: "ui p50", points: (0..<10).map { ChartPoint(Double($0), 0.010 + Double($0 % 3) * 0.001) }),
            ChartSeries(name: "ui p99", points: (0..<10).map { ChartPoint(Double($0), 0.050 + Double($0 % 4) * 0.01) }),
            ChartSeries(name: "target", points: [ChartPoint(0, 0.25), ChartPoint(9, 0.25)], dashed: true),
        ])
        Golden.check(line.svg, "chart.line.svg")
        let spectrum = PercentileSpectrumChart(title: "Percentile spectrum", series: [
            .init(name: "ui", points: [(0, 0.002), (50, 0.010), (90, 0.020), (99, 0.080), (99.9, 0.300), (99.99, 0.900), (100, 1.2)]),
            .init(name: "api", points: [(0, 0.001), (50, 0.004), (90, 0.008), (99, 0.030), (99.9, 0.100), (100, 0.2)]),
        ])
        Golden.check(spectrum.svg, "chart.spectrum.svg")
        let bars = StackedBarChart(title: "Auth latency by hop (p50)", segmentNames: ["DNS", "connect", "TLS", "LB auth", "target"], bars: [
            .init(label: "browser login", segments: [0.0002, 0.0004, 0.0031, 0.0120, 0.0040]),
            .init(label: "InitiateAuth", segments: [0.0002, 0.0003, 0.0028, 0, 0.0350]),
        ], valueTitle: "time")
        Golden.check(bars.svg, "chart.bars.svg")
        #expect(line.svg.contains("<title>Latency over time</title>"))
        #expect(line.svg.contains("latency (ms)"))
        #expect(spectrum.svg.contains(">99.99%<"))
        #expect(LineChart(title: "empty", xTitle: "x", yTitle: "y", yFormat: .duration, series: []).svg.contains("no samples"))
    }
}
