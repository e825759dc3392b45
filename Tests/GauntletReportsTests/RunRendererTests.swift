import Foundation
import Testing
import GauntletCore
@testable import GauntletReports

@Suite("run renderers over the fixture run")
struct RunRendererTests {
    static func fixture() throws -> RunFiles { try RunFiles.load(RunFixture.directory) }

    @Test func junitGolden() throws {
        let run = try Self.fixture()
        let xml = RunJUnitRenderer.render(run.summary)
        Golden.check(xml, "run.junit.xml")
        // Five thresholds plus routing correctness; the misroute threshold and the routing case fail.
        #expect(xml.contains("tests=\"6\" failures=\"2\""))
        #expect(xml.contains("wrong_backend: GET /manager/api/users as managers"))
    }

    @Test func metricsGolden() throws {
        let run = try Self.fixture()
        let text = RunMetricsRenderer.render(run.summary)
        Golden.check(text, "run.metrics.prom")
        #expect(text.contains("gauntlet_misroutes{scenario=\"smoke\",kind=\"wrong_backend\"} 2"))
        #expect(text.hasSuffix("# EOF\n"))
    }

    @Test func hlogGoldenAgreesWithTheSummary() throws {
        let run = try Self.fixture()
        let text = RunHistogramLogRenderer.render(run)
        Golden.check(text, "run.latency.hlog")
        let reader = try HistogramLogReader(text: text)
        #expect(reader.startTime == ISO8601Time.parse("2026-11-29T00:00:00.000Z"))
        // Merging the measured phase's intervals gives the summary's figures (same bucket).
        var expected = "tag,count,p50,p90,p99,p99.9,max\n"
        for type in run.summary.requestTypes {
            let merged = try #require(reader.merged(tag: "\(type.type.rawValue)/steady"))
            let latency = try #require(type.total.latency)
            #expect(Int(merged.totalCount) == latency.count)
            for (percentile, value) in [(50.0, latency.p50), (90, latency.p90), (99, latency.p99), (99.9, latency.p99_9)] {
                #expect(merged.valuesAreEquivalent(merged.valueAtPercentile(percentile), UInt64((value * 1e6).rounded())))
            }
            let micros = [latency.p50, latency.p90, latency.p99, latency.p99_9, latency.max].map { String(UInt64(($0 * 1e6).rounded())) }
            expected += "\(type.type.rawValue)/steady,\(latency.count),\(micros.joined(separator: ","))\n"
        }
        // The summary's own figures, for scripts/verify/reports-hlog.py to check with HdrHistogram's Python decoder.
        Golden.check(expected, "run.latency.expected.csv")
        #expect(RunHistogramLogRenderer.render(run, serviceTime: true).contains("Tag=api/steady,"))
    }

    @Test func missingAndBrokenRunsAreClearErrors() throws {
        #expect(throws: ReportError.self) { try RunFiles.load("/nonexistent/run") }
        let directory = RunFixture.temporaryDirectory("broken")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            _ = try RunFiles.load(directory)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("missing"))
        }
        try Data(#"{"schema_version": 1}"#.utf8).write(to: URL(fileURLWithPath: directory + "/summary.json"))
        do {
            _ = try RunFiles.load(directory)
            Issue.record("expected an error")
        } catch {
            #expect(error.file.hasSuffix("summary.json"))
            #expect(error.message.contains("missing"))
        }
    }
}

@Suite("report.html and regeneration")
struct HTMLReportTests {
    @Test func htmlGolden() throws {
        let run = try RunFiles.load(RunFixture.directory)
        var copy = run
        copy.directory = "results/smoke-fixture"
        let html = HTMLReportRenderer.render(copy)
        Golden.check(html, "run.report.html")
        #expect(html.contains("<span class=\"verdict fail\">FAIL</span>"))
        #expect(!html.contains("http://") || !html.contains("src=\"http"))
        #expect(!html.contains("<script"))
        #expect(html.components(separatedBy: "<svg ").count - 1 == 4)
        #expect(html.contains("wrong_backend"))
    }

    @Test func regenerateWritesEveryOutput() throws {
        let directory = RunFixture.temporaryDirectory("report")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for name in ["summary.json", "timeseries.jsonl", "intervals.jsonl"] {
            try FileManager.default.copyItem(atPath: RunFixture.directory + "/" + name, toPath: directory + "/" + name)
        }
        let (run, written) = try RunReport.regenerate(directory)
        #expect(written.map { ($0 as NSString).lastPathComponent } == RunReport.outputs)
        for path in written {
            #expect((try? Data(contentsOf: URL(fileURLWithPath: path)))?.isEmpty == false)
        }
        #expect(RunReport.passed(run.summary) == false)
        // From the summary.json path too.
        #expect(try RunReport.regenerate(directory + "/summary.json").written.count == 5)
    }
}

@Suite("report.html without the per-second logs")
struct HTMLFallbackTests {
    @Test func aSummaryAloneStillRendersEverySection() throws {
        var run = try RunFiles.load(RunFixture.directory)
        run.timeSeries = []
        run.intervals = []
        let html = HTMLReportRenderer.render(run)
        #expect(html.components(separatedBy: "no per-second series in this run").count - 1 == 2)
        // The spectrum falls back to the summary's own percentiles.
        #expect(html.contains("Latency by percentile (measured phases)"))
        #expect(!html.contains(">no samples<"))
        #expect(RunHistogramLogRenderer.render(run).split(separator: "\n").count == 6)
    }

    @Test func aPartialRunSaysSoEverywhere() throws {
        var run = try RunFiles.load(RunFixture.directory)
        run.summary.partial = true
        run.summary.partialReason = "interrupted (SIGINT)"
        #expect(HTMLReportRenderer.render(run).contains("The run ended early: interrupted (SIGINT)."))
        let junit = RunJUnitRenderer.render(run.summary)
        #expect(junit.contains("<error message=\"interrupted (SIGINT)\" type=\"partial\">"))
        #expect(!RunReport.passed(run.summary))
    }
}

/// Results written before the schedule lag was split (schema 1) still load, render and compare.
@Suite struct SchemaOneResultsTests {
    @Test func aSchemaOneRunRendersWithItsOneLag() throws {
        let run = try RunFiles.load(RunFixture.directorySchema1)
        #expect(run.summary.schemaVersion == 1)
        let html = HTMLReportRenderer.render(run)
        #expect(html.contains("The generator kept up with its schedule."))
        #expect(!html.contains("generator lag"))
        #expect(!run.summary.table.contains("connection wait"))
    }

    @Test func aSchemaTwoRunSplitsItsLagInTheTableAndReport() throws {
        let run = try RunFiles.load(RunFixture.directory)
        #expect(run.summary.schemaVersion == RunSummary.currentSchemaVersion)
        let wait = try #require(run.summary.scheduleLag.connectionWait)
        #expect(wait.count > 0)
        #expect(run.summary.table.contains("connection wait: p50"))
        #expect(run.summary.table.contains("\(wait.count) requests waited"))
        let html = HTMLReportRenderer.render(run)
        #expect(html.contains("connection wait (the target held every connection)"))
        #expect(html.contains("TARGET HELD EVERY CONNECTION: \(wait.count) requests waited"))
    }

    @Test func aSchemaOneBaselineComparesWithASchemaTwoCandidate() throws {
        let old = try RunFiles.load(RunFixture.directorySchema1).summary
        let new = try RunFiles.load(RunFixture.directory).summary
        let report = RunComparison.compare(baseline: [old], candidate: [new])
        #expect(report.rows.contains { $0.metric == "latency.all.p99" })
    }
}
