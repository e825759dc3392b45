import ArgumentParser
import Foundation
import GauntletCore
import GauntletReports

/// `gauntlet compare BASELINE CANDIDATE`: the figures that changed, exit 1 on a regression.
struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare a candidate's runs with a baseline's; exit 1 on a regression.",
        discussion: """
            BASELINE and CANDIDATE are run directories, summary.json files, or directories of run \
            directories (several runs of one build). Add runs with --baseline/--candidate. Sides are \
            compared by their medians; a metric regresses when it is worse by more than its tolerance \
            (the larger of the relative and absolute parts of the first matching rule) plus the noise \
            the runs show: half their mean spread, or the sampling band of a percentile given its sample \
            count. Tail percentiles with fewer than 5 samples beyond them are reported as inconclusive.

            Rules: --tolerance 'latency.*.p99=10%,2ms' (PATTERN=RELATIVE[,ABSOLUTE]); later defaults \
            cover the rest (p50/p90 10%, p99 10%, p99.9 25%, errors 50%/0.1 pt, misroutes 0).
            """
    )

    @Argument(help: "The baseline: a run directory, a summary.json, or a directory of runs.")
    var baseline: String

    @Argument(help: "The candidate: a run directory, a summary.json, or a directory of runs.")
    var candidate: String

    @Option(name: .customLong("baseline"), help: "Another baseline run (repeatable).")
    var moreBaselines: [String] = []

    @Option(name: .customLong("candidate"), help: "Another candidate run (repeatable).")
    var moreCandidates: [String] = []

    @Option(name: .customLong("tolerance"), help: "A rule PATTERN=RELATIVE[,ABSOLUTE], e.g. 'latency.*.p99=10%,2ms' (repeatable; first match wins).")
    var tolerances: [String] = []

    @Option(name: .customLong("metric"), help: "Compare only these metrics (repeatable), e.g. latency.ui.p99.")
    var metrics: [String] = []

    @Option(help: "Also write the verdict as JUnit XML to this file.")
    var junit: String?

    @Flag(help: "List every compared metric, not only those that changed.")
    var all = false

    /// Bad usage exits 2 (`GauntletExit.invalidInput`), like every other invalid input.
    func usageProblem() -> String? {
        for rule in tolerances {
            do { _ = try ComparisonRule.parse(rule) } catch { return "--tolerance \(error)" }
        }
        return nil
    }

    func run() async throws {
        var stderr = StandardError()
        if let problem = usageProblem() {
            print("gauntlet compare: \(problem)\nSee 'gauntlet compare --help'.", to: &stderr)
            throw GauntletExit.invalidInput
        }
        if try compareCapacity() { return }
        let rules = tolerances.compactMap { try? ComparisonRule.parse($0) }
        let report: ComparisonReport
        do {
            let before = try RunSet.loadRuns([baseline] + moreBaselines)
            let after = try RunSet.loadRuns([candidate] + moreCandidates)
            report = RunComparison.compare(baseline: before, candidate: after, rules: rules, metrics: metrics.isEmpty ? nil : metrics)
        } catch {
            print("gauntlet compare: \(error)", to: &stderr)
            throw GauntletExit.invalidInput
        }
        print(report.table(all: all), terminator: "")
        if let junit {
            do {
                try Data(report.junit.utf8).write(to: URL(fileURLWithPath: junit), options: .atomic)
            } catch {
                print("gauntlet compare: cannot write \(junit): \(error.localizedDescription)", to: &stderr)
                throw GauntletExit.runFailed
            }
        }
        if !report.passed { throw GauntletExit.thresholdFailed }
    }

    /// Two capacity results (`capacity.json` or their directories) compare by their knees; returns false
    /// when the inputs are runs, which compare as before.
    func compareCapacity() throws -> Bool {
        var stderr = StandardError()
        let before: CapacityResult?, after: CapacityResult?
        do {
            before = try CapacityReport.load(baseline)
            after = try CapacityReport.load(candidate)
        } catch {
            print("gauntlet compare: \(error)", to: &stderr)
            throw GauntletExit.invalidInput
        }
        guard let before, let after else {
            if before != nil || after != nil {
                print("gauntlet compare: one side is a capacity result and the other is not; compare capacity with capacity", to: &stderr)
                throw GauntletExit.invalidInput
            }
            return false
        }
        let comparison = CapacityComparison.compare(baseline: before, candidate: after)
        print(comparison.text)
        if comparison.regressed { throw GauntletExit.thresholdFailed }
        return true
    }
}
