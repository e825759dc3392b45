import Foundation
import Testing
@testable import GauntletCore
@testable import GauntletLive
@testable import GauntletReports

@Suite struct LiveRenderTests {
    @Test func theFrameHoldsTheWholeRunSoFar() {
        let frame = LiveFixture.frame(seconds: 3)
        #expect(frame.requestCount == 30)
        #expect(frame.failedCount == 4)
        #expect(frame.summary.misroutes.total == 1)
        #expect(frame.phase?.name == "steady")
        #expect(Set(frame.timeSeries.map(\.second)) == [0, 1, 2])
        #expect(frame.errorsByCategory.first?.category == "timeout")
    }

    @Test func thePageDrawsReportChartsAndCountsAndFollowsTheFeed() {
        let page = LivePageRenderer.page(LiveFixture.frame(seconds: 3))
        #expect(page.contains("data-requests=\"30\""))
        #expect(page.contains("new EventSource('events')"))
        #expect(!page.contains("http://") || !page.contains("<script src"))
        let charts = page.components(separatedBy: "<svg ").count - 1
        #expect(charts >= 4)
        // The same renderers as report.html: its rate and latency charts, byte for byte.
        let run = RunFiles(directory: "live", summary: LiveFixture.frame(seconds: 3).summary, timeSeries: LiveFixture.frame(seconds: 3).timeSeries)
        #expect(page.contains(HTMLReportRenderer.rateChart(run)))
        #expect(page.contains(HTMLReportRenderer.latencyChart(run)))
        #expect(page.contains("Routing correctness"))
        #expect(page.contains("Schedule lag"))
    }

    @Test func aCapacitySearchIsShownWithItsKnee() {
        let search = LiveSearch(steps: [.init(rate: 100, achievedRate: 99, p99: 0.02, held: true), .init(rate: 200, achievedRate: 150, p99: 1.2, held: false, note: "latency.api.p99"), .init(rate: 150)],
                                kneeLow: 100, kneeHigh: 200)
        let frame = LiveFixture.frame(seconds: 2, search: search)
        let fragment = LivePageRenderer.fragment(frame)
        #expect(fragment.contains("Capacity search so far"))
        #expect(fragment.contains("Knee between 100 req/s held and 200 req/s failed"))
        let metrics = LiveMetricsRenderer.render(frame)
        #expect(metrics.contains("gauntlet_capacity_knee_low_rate{scenario=\"live-unit\",seed=\"11\"} 100"))
        #expect(metrics.contains("gauntlet_capacity_steps_total{scenario=\"live-unit\",seed=\"11\",verdict=\"failed\"} 1"))
    }

    @Test func metricsAreWellFormedPrometheusText() {
        let text = LiveMetricsRenderer.render(LiveFixture.frame(seconds: 3))
        #expect(!text.contains("# EOF"))
        #expect(!text.contains("# UNIT"))
        var types: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            types[String(parts[2])] = String(parts[3])
        }
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            let family = types[name] != nil ? name : String(name.replacing(/_(sum|count)$/, with: ""))
            #expect(types[family] != nil, "\(name) has no # TYPE")
            if types[family] == "counter" { #expect(name.hasSuffix("_total")) }
            #expect(Double(line.split(separator: " ").last!) != nil || line.hasSuffix("+Inf"), "\(line)")
        }
        #expect(text.contains("gauntlet_responses_total{scenario=\"live-unit\",seed=\"11\",type=\"ui\",phase=\"steady\",status=\"200\"} 8"))
        #expect(text.contains("gauntlet_request_errors_total{scenario=\"live-unit\",seed=\"11\",type=\"ui\",phase=\"steady\",category=\"timeout\"} 2"))
        #expect(text.contains("gauntlet_run_phase{scenario=\"live-unit\",seed=\"11\",phase=\"steady\",warmup=\"false\"} 1"))
        #expect(text.contains("gauntlet_schedule_lag_seconds_count{scenario=\"live-unit\",seed=\"11\",part=\"total\"}"))
    }

    @Test func theTerminalViewFitsItsWidthAndRedrawsInPlace() {
        let frame = LiveFixture.frame(seconds: 3)
        let lines = LiveTerminalView.lines(frame, width: 60)
        #expect(lines.count == 4)
        #expect(lines.allSatisfy { $0.count <= 60 })
        #expect(lines[0].hasPrefix("live-unit ["))
        #expect(lines[0].contains("0:03 / 0:04"))
        #expect(lines.contains { $0.contains("misroutes 1") })
        let wide = LiveTerminalView.lines(frame, width: 200)
        #expect(wide[1].contains("ui") || wide[1].contains("upload"))
        #expect(wide.last!.contains("errors: timeout 3, oracle 1"))
        #expect(LiveTerminalView.redraw(previous: 0, lines: ["a", "b"]) == "\u{1B}[Ja\nb\n")
        #expect(LiveTerminalView.redraw(previous: 2, lines: ["c"]) == "\u{1B}[2A\r\u{1B}[Jc\n")
    }

    @Test func theGrafanaDashboardQueriesOnlyExposedMetrics() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("deploy/grafana/gauntlet-live.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var expressions: [String] = []
        func walk(_ value: Any) {
            if let object = value as? [String: Any] {
                if let expr = object["expr"] as? String { expressions.append(expr) }
                if let definition = object["definition"] as? String { expressions.append(definition) }
                object.values.forEach(walk)
            } else if let array = value as? [Any] {
                array.forEach(walk)
            }
        }
        walk(dashboard)
        #expect(expressions.count >= 8)
        // A plain run (no capacity search): every family is declared in every scrape, samples or not.
        let exposed = LiveMetricsRenderer.render(LiveFixture.frame(seconds: 3))
        var names = Set(exposed.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { String($0.prefix { $0 != "{" && $0 != " " }) })
        for line in exposed.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            names.insert(String(parts[2]))
            if parts[3] == "summary" { names.formUnion([parts[2] + "_sum", parts[2] + "_count"]) }
        }
        for expression in expressions {
            let used = expression.matches(of: /gauntlet_[a-z0-9_]+/).map { String($0.output) }
            #expect(!used.isEmpty || expression.contains("idp_"), "\(expression) names no metric")
            for name in used { #expect(names.contains(name), "\(name) in \(expression) is not exposed by /metrics") }
        }
    }
}

/// Prometheus's own linter on the exposition, where it is installed (`scripts/test` installs it).
@Suite struct LiveMetricsPromtoolTests {
    static let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: promtool != nil)) func promtoolChecksTheExposition() throws {
        let text = LiveMetricsRenderer.render(LiveFixture.frame(seconds: 3, search: LiveSearch(steps: [.init(rate: 5, held: false)], kneeHigh: 5)))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.promtool!)
        process.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "promtool: \(said)")
    }
}
