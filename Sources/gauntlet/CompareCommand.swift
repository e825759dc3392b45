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
            directories (several runs of one build). Add runs with --baseline/--candidate. A metric \
            regresses when it is worse by more than its tolerance (the larger of the relative and \
            absolute parts of the first matching rule) and beyond the noise with the gate's confidence. \
            With several runs per side the noise is their run-to-run spread (at least the sampling noise \
            of each run); with one run per side only the sampling noise within each run is known, so a \
            distribution shift alone never fails. Each verdict states the change (in the metric's unit \
            and in %), the noise and the confidence. Only --fail-on metrics fail the gate.

            Rules: --tolerance 'latency.*.p99=10%,2ms' (PATTERN=RELATIVE[,ABSOLUTE]); later defaults \
            cover the rest (latency p50 3%/0.1 ms, p90 10%, p99 10%, p99.9 25%, errors 50%/0.1 pt, misroutes 0).
            Calibrated by scripts/bench/compare-calibration.sh: see the README's CI section.
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

    @Option(name: .customLong("fail-on"), help: "A metric pattern whose regression fails the gate (repeatable; default: \(RunComparison.defaultFailOn.joined(separator: ", "))).")
    var failOn: [String] = []

    @Option(help: "The confidence a change must reach to fail the gate, e.g. 99% (default \(Int(RunComparison.defaultConfidence * 100))%).")
    var confidence: String?

    @Option(help: "Also write the verdict as JUnit XML to this file.")
    var junit: String?

    @Option(help: "Also write the verdict as a self-contained HTML page (the compare section) to this file.")
    var html: String?

    @Flag(help: "List every compared metric, not only those that changed.")
    var all = false

    /// Bad usage exits 2 (`GauntletExit.invalidInput`), like every other invalid input.
    func usageProblem() -> String? {
        for rule in tolerances {
            do { _ = try ComparisonRule.parse(rule) } catch { return "--tolerance \(error)" }
        }
        for pattern in failOn {
            let rule = ComparisonRule(pattern: pattern, relative: 0, absolute: 0)
            if !MetricCatalog.allNames.contains(where: rule.matches) {
                return "--fail-on \"\(pattern)\": matches no metric; expected a name or glob such as latency.*.p99 or errors.rate"
            }
        }
        if let confidence, parsedConfidence == nil {
            return "--confidence \"\(confidence)\": expected a confidence such as 99% or 0.99, above 50% and below 100%"
        }
        return nil
    }

    var parsedConfidence: Double? {
        guard let confidence else { return RunComparison.defaultConfidence }
        guard let value = Quantity.ratio(confidence), value > 0.5, value < 1 else { return nil }
        return value
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
            report = RunComparison.compare(baseline: before, candidate: after, rules: rules, metrics: metrics.isEmpty ? nil : metrics,
                                           failOn: failOn.isEmpty ? RunComparison.defaultFailOn : failOn,
                                           confidence: parsedConfidence ?? RunComparison.defaultConfidence)
        } catch {
            print("gauntlet compare: \(error)", to: &stderr)
            throw GauntletExit.invalidInput
        }
        print(report.table(all: all), terminator: "")
        for (path, text) in [(junit, report.junit), (html, report.html)] {
            guard let path else { continue }
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                print("gauntlet compare: cannot write \(path): \(error.localizedDescription)", to: &stderr)
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
