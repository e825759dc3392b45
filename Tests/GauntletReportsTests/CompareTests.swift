import Foundation
import Testing
import GauntletCore
@testable import GauntletReports

@Suite("compare: regression rules, noise, verdicts")
struct CompareTests {
    static func fixture(_ directory: String = RunFixture.directory) throws -> RunSummary {
        try RunFiles.load(directory).summary
    }

    /// The same run with every request type's corrected latency figures changed by `transform`.
    static func adjusted(_ summary: RunSummary, _ transform: (inout LatencyPercentiles) -> Void) -> RunSummary {
        var copy = summary
        for index in copy.requestTypes.indices {
            if var latency = copy.requestTypes[index].total.latency {
                transform(&latency)
                copy.requestTypes[index].total.latency = latency
            }
        }
        if var latency = copy.all.latency {
            transform(&latency)
            copy.all.latency = latency
        }
        return copy
    }

    /// The fixture's figures as if each came from 200,000 samples: a run long enough for its p99 to be
    /// known to within a few percent, so the comparison rule (not sampling noise) decides.
    static func large(_ summary: RunSummary) -> RunSummary {
        adjusted(summary) { $0.count = 200_000 }
    }

    @Test func aP99TwentyPercentWorseIsARegression() throws {
        let baseline = Self.large(try Self.fixture())
        let candidate = Self.adjusted(baseline) { $0.p99 *= 1.2 }
        let report = RunComparison.compare(baseline: [baseline], candidate: [candidate])
        #expect(!report.passed)
        #expect(Set(report.regressions.map(\.metric)) == ["latency.upload.p99", "latency.ui.p99", "latency.api.p99", "latency.all.p99"])
        let row = try #require(report.rows.first { $0.metric == "latency.ui.p99" })
        #expect(abs(row.change! - 0.2) < 1e-9)
        #expect(report.table().contains("REGRESSION"))
        #expect(report.junit.contains("failures=\"4\""))
    }

    @Test func aAPairsOfTheSameBuildDoNotCryWolf() throws {
        // Two runs of the same scenario and build with different noise (the fixture's seeds 1 and 2).
        let a = try Self.fixture(), b = try Self.fixture(RunFixture.directoryB)
        #expect(a != b)
        let report = RunComparison.compare(baseline: [a], candidate: [b])
        #expect(report.regressions.isEmpty, "\(report.table())")
        let reverse = RunComparison.compare(baseline: [b], candidate: [a])
        #expect(reverse.regressions.isEmpty, "\(reverse.table())")
        #expect(report.table().contains("0 regression(s)"))
    }

    @Test func aShortRunsNoisyTailIsNotARegression() throws {
        // The same 20% on the fixture's real sample counts (150–600 per type over 15 s): a p99 of 150
        // samples rests on one or two requests, so it is within sampling noise and not flagged.
        let baseline = try Self.fixture()
        let report = RunComparison.compare(baseline: [baseline], candidate: [Self.adjusted(baseline) { $0.p99 *= 1.2 }])
        #expect(report.regressions.isEmpty)
        let row = try #require(report.rows.first { $0.metric == "latency.upload.p99" })
        #expect(row.verdict == .inconclusive)
        #expect(report.table().contains("too few samples"))
    }

    @Test func severalRunsPerSideUseTheirSpread() throws {
        let base = Self.large(try Self.fixture())
        // ±6% run-to-run noise on every latency figure.
        let noise = [0.94, 1.0, 1.06, 0.97, 1.03, 1.05]
        func run(_ factor: Double, p99: Double = 1) -> RunSummary {
            Self.adjusted(base) { latency in
                for path in [\LatencyPercentiles.p50, \.p75, \.p90, \.p95, \.p99, \.p99_9, \.p99_99, \.max] { latency[keyPath: path] *= factor }
                latency.p99 *= p99
            }
        }
        let baseline = noise[0..<3].map { run($0) }
        let sameBuild = noise[3..<6].map { run($0) }
        #expect(RunComparison.compare(baseline: baseline, candidate: sameBuild).regressions.isEmpty)
        let slower = noise[3..<6].map { run($0, p99: 1.2) }
        let rules = [try ComparisonRule.parse("latency.*.p99=10%,1ms")]
        let report = RunComparison.compare(baseline: baseline, candidate: slower, rules: rules)
        #expect(Set(report.regressions.map(\.metric)) == ["latency.upload.p99", "latency.ui.p99", "latency.api.p99", "latency.all.p99"])
        let row = try #require(report.rows.first { $0.metric == "latency.api.p99" })
        #expect(row.noise > 0)
        #expect(report.table().contains("["))
    }

    @Test func misroutesAndThroughputHaveDirections() throws {
        var baseline = try Self.fixture()
        baseline.misroutes.total = 0
        var worse = baseline
        worse.misroutes.total = 1
        worse.upload?.eventsPerSecond *= 0.5
        let report = RunComparison.compare(baseline: [baseline], candidate: [worse])
        // A misroute where the baseline had none is certain; throughput is reported, not gating.
        #expect(report.regressions.map(\.metric) == ["routing.misroutes"])
        #expect(report.reportedRegressions.map(\.metric) == ["upload.events_per_second"])
        #expect(report.table().contains("a correct stack misroutes nothing"))
        var better = baseline
        better.upload?.eventsPerSecond *= 2
        #expect(RunComparison.compare(baseline: [baseline], candidate: [better]).improvements.map(\.metric) == ["upload.events_per_second"])
        // With misroutes on both sides the counts are compared as rates of the requests behind them.
        var some = baseline, more = baseline
        some.misroutes.total = 2
        more.misroutes.total = 3
        #expect(RunComparison.compare(baseline: [some], candidate: [more]).regressions.isEmpty)
    }

    @Test func ratesAreComparedAsRatesAndPoissonCountsWithTheirNoise() throws {
        var baseline = try Self.fixture()
        baseline.all.count = 500
        baseline.all.failed = 0
        func failing(_ failed: Int) -> RunSummary {
            var run = baseline
            run.all.failed = failed
            return run
        }
        // 5 errors in 500 requests against none: a 1% rate, but not beyond binomial noise at 99%.
        let few = RunComparison.compare(baseline: [baseline], candidate: [failing(5)], metrics: ["errors.rate"])
        #expect(few.rows.first?.verdict == .unchanged, "\(few.table())")
        let many = RunComparison.compare(baseline: [baseline], candidate: [failing(20)], metrics: ["errors.rate"])
        #expect(many.regressions.map(\.metric) == ["errors.rate"])
        // Calibration's A/A alarm: one candidate run of three timed out a burst of requests while the
        // machine stalled. Across runs that is noise, not a worse build...
        let burst = RunComparison.compare(
            baseline: [baseline, baseline, baseline], candidate: [baseline, baseline, failing(8)], metrics: ["errors.rate"])
        #expect(burst.rows.first?.verdict == .unchanged, "\(burst.table())")
        // ...while every run failing as often is a regression.
        let steady = RunComparison.compare(
            baseline: [baseline, baseline, baseline], candidate: [failing(8), failing(9), failing(8)], metrics: ["errors.rate"])
        #expect(steady.regressions.map(\.metric) == ["errors.rate"], "\(steady.table())")
        // A Poisson schedule that drew 10% more API requests is not "10% more throughput".
        let index = try #require(baseline.requestTypes.firstIndex { $0.type == .api })
        var drew = baseline
        drew.requestTypes[index].total.achievedRate *= 1.1
        let rate = RunComparison.compare(baseline: [baseline], candidate: [drew], metrics: ["requests.api.rate"])
        let row = try #require(rate.rows.first)
        #expect(row.evidence?.noise == .sampling && row.verdict == .unchanged, "\(rate.table())")
    }

    @Test func onlyFailOnMetricsFailTheGate() throws {
        let baseline = Self.large(try Self.fixture())
        let candidate = Self.adjusted(baseline) { $0.p99 *= 1.2 }
        let narrow = RunComparison.compare(baseline: [baseline], candidate: [candidate], failOn: ["latency.ui.*"])
        #expect(narrow.regressions.map(\.metric) == ["latency.ui.p99"])
        #expect(Set(narrow.reportedRegressions.map(\.metric)) == ["latency.upload.p99", "latency.api.p99", "latency.all.p99"])
        #expect(narrow.table().contains("regression (not gating)"))
        #expect(!RunComparison.compare(baseline: [baseline], candidate: [candidate], failOn: ["errors.rate"]).regressions.contains { $0.metric.hasPrefix("latency") })
    }

    @Test func everyVerdictStatesEffectNoiseAndConfidence() throws {
        let base = Self.large(try Self.fixture())
        func run(_ factor: Double) -> RunSummary {
            Self.adjusted(base) { latency in
                for path in [\LatencyPercentiles.p50, \.p75, \.p90, \.p95, \.p99, \.p99_9, \.p99_99, \.max] { latency[keyPath: path] *= factor }
            }
        }
        let report = RunComparison.compare(baseline: [0.99, 1.0, 1.01].map(run), candidate: [1.19, 1.2, 1.21].map(run))
        let row = try #require(report.rows.first { $0.metric == "latency.ui.p50" })
        #expect(row.verdict == .regression)
        #expect(row.evidence?.noise == .runToRun)
        let sentence = report.sentence(row)
        for words in ["ms (+20%) slower", "noise ±", "run-to-run (3 vs 3 runs)", "% confident it is slower", "tolerance ±", "REGRESSION"] {
            #expect(sentence.contains(words), "\(sentence)")
        }
        #expect(report.noiseNote == nil)
        #expect(report.table().contains(sentence))
        #expect(report.junit.contains(String(sentence.prefix(40))))
        #expect(report.html.contains("run-to-run"))
        #expect(report.htmlSection.contains("REGRESSION"))
        let single = RunComparison.compare(baseline: [run(1)], candidate: [run(1.2)])
        let singleRow = try #require(single.rows.first { $0.metric == "latency.ui.p50" })
        #expect(singleRow.evidence?.noise == .sampling)
        #expect(single.sentence(singleRow).contains("from sampling alone (run-to-run unmeasured)"))
        #expect(single.noiseNote?.contains("3 runs per side") == true)
    }

    @Test func runToRunNoiseBeyondTheSamplingNoiseIsWhatTheGateJudges() throws {
        let base = Self.large(try Self.fixture())
        func run(_ factor: Double) -> RunSummary {
            Self.adjusted(base) { latency in
                for path in [\LatencyPercentiles.p50, \.p75, \.p90, \.p95, \.p99, \.p99_9, \.p99_99, \.max] { latency[keyPath: path] *= factor }
            }
        }
        // Runs of one build that differ by ±15% from run to run: a 12% higher candidate mean is within that noise…
        let noisy = RunComparison.compare(baseline: [0.85, 1.0, 1.15].map(run), candidate: [0.97, 1.12, 1.27].map(run))
        #expect(noisy.passed, "\(noisy.table())")
        // …while the same 12% from runs that agree to ±1% is a regression.
        let quiet = RunComparison.compare(baseline: [0.99, 1.0, 1.01].map(run), candidate: [1.11, 1.12, 1.13].map(run))
        #expect(!quiet.passed)
    }

    @Test func rulesParseAndMatch() throws {
        let rule = try ComparisonRule.parse("latency.*.p99=15%,2ms")
        #expect(rule == ComparisonRule(pattern: "latency.*.p99", relative: 0.15, absolute: 0.002))
        #expect(rule.matches("latency.ui.p99"))
        #expect(!rule.matches("latency.ui.p99.9"))
        #expect(try ComparisonRule.parse("errors.rate=0,0.1%").absolute == 0.001)
        #expect(throws: ComparisonRule.ParseError.self) { try ComparisonRule.parse("latency.ui.p99") }
        #expect(throws: ComparisonRule.ParseError.self) { try ComparisonRule.parse("latency.ui.p99=fast") }
        #expect(throws: ComparisonRule.ParseError.self) { try ComparisonRule.parse("latency.ui.p99=10%,soon") }
    }

    @Test func comparisonJUnitGolden() throws {
        let baseline = Self.large(try Self.fixture())
        let candidate = Self.adjusted(baseline) { $0.p99 *= 1.2 }
        let report = RunComparison.compare(baseline: [baseline], candidate: [candidate])
        Golden.check(report.junit, "compare.junit.xml")
        Golden.check(report.table(), "compare.table.txt")
    }

    @Test func runSetsLoadDirectoriesOfRuns() throws {
        let directory = RunFixture.temporaryDirectory("runset")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, source) in [("a", RunFixture.directory), ("b", RunFixture.directoryB)] {
            try FileManager.default.createDirectory(atPath: directory + "/" + name, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: source + "/summary.json", toPath: directory + "/\(name)/summary.json")
        }
        #expect(try RunSet.load([directory]).count == 2)
        #expect(try RunSet.load([directory + "/a", directory + "/b/summary.json"]).count == 2)
        #expect(throws: ReportError.self) { try RunSet.load([directory + "/missing"]) }
    }
}

@Suite("compare: rank test on the histograms")
struct RankTestTests {
    /// The fixture run with every recorded latency multiplied by `factor` (histogram values scaled).
    static func slowed(_ run: RunFiles, by factor: Double) -> RunFiles {
        var copy = run
        for index in copy.intervals.indices {
            copy.intervals[index].corrected.values = copy.intervals[index].corrected.values.map { UInt64(Double($0) * factor) }
        }
        return copy
    }

    @Test func aAPairIsUnchangedAndASlowerBuildShifts() throws {
        let a = try RunFiles.load(RunFixture.directory), b = try RunFiles.load(RunFixture.directoryB)
        let same = RankTest.compare(baseline: [a], candidate: [b])
        #expect(same.map(\.type) == [.upload, .ui, .api])
        #expect(same.allSatisfy { $0.verdict == .unchanged }, "\(same)")
        #expect(same.allSatisfy { abs($0.effect - 0.5) < 0.05 })
        let slower = RankTest.compare(baseline: [a], candidate: [Self.slowed(b, by: 1.2)])
        #expect(slower.allSatisfy { $0.verdict == .regression }, "\(slower)")
        let faster = RankTest.compare(baseline: [Self.slowed(a, by: 1.2)], candidate: [b])
        #expect(faster.allSatisfy { $0.verdict == .improvement }, "\(faster)")
    }

    @Test func identicalRunsHaveNoEffect() throws {
        let a = try RunFiles.load(RunFixture.directory)
        let results = RankTest.compare(baseline: [a], candidate: [a])
        #expect(results.allSatisfy { $0.effect == 0.5 && $0.z == 0 })
    }

    @Test func aDistributionShiftAloneNeverFailsTheGate() throws {
        // The histograms shift by 30% but the summaries' figures do not: only the rank test sees it.
        let a = try RunFiles.load(RunFixture.directory), b = try RunFiles.load(RunFixture.directoryB)
        let report = RunComparison.compare(baseline: [a], candidate: [Self.slowed(b, by: 1.3)])
        #expect(report.rankTests.filter { $0.verdict == .regression }.count == 3)
        #expect(report.passed)
        #expect(report.table().contains("latency.api distribution (within-run rank test, reported only): P(candidate slower)"))
        #expect(report.junit.contains("latency.ui.distribution"))
        #expect(!report.junit.contains("<failure"))
    }
}

@Suite("compare: the distributions behind its confidence")
struct StudentTTests {
    @Test func knownQuantiles() {
        // Textbook quantiles: t(0.975; 4) = 2.776, t(0.995; 4) = 4.604, t(0.95; 1) = 6.314, z(0.975) = 1.960.
        for (t, degrees, p) in [(2.776, 4.0, 0.975), (4.604, 4, 0.995), (6.314, 1, 0.95), (1.960, .infinity, 0.975), (2.228, 10, 0.975)] {
            #expect(abs(StudentT.cdf(t, degrees: degrees) - p) < 5e-4, "t=\(t), ν=\(degrees)")
            #expect(abs(StudentT.cdf(-t, degrees: degrees) - (1 - p)) < 5e-4)
        }
        #expect(StudentT.cdf(0, degrees: 3) == 0.5)
        #expect(abs(StudentT.cdf(1.96, degrees: 100_000) - StudentT.normalCDF(1.96)) < 1e-4)
    }
}
