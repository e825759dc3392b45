import ArgumentParser
import GauntletReports

/// `gauntlet report RUN_DIR`: regenerates a run's derived files from its `summary.json` and logs.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Regenerate a run's report.html, junit.xml, metrics.prom and .hlog files from its results.",
        discussion: """
            RUN_DIR is a results directory (or its summary.json). Writes, beside the summary: \
            \(RunReport.outputs.joined(separator: ", ")). With --check, exits 1 when a threshold failed \
            or a response was misrouted, as `run` does.
            """
    )

    @Argument(help: "A results directory, or the path of its summary.json.")
    var runDirectory: String

    @Flag(help: "Exit 1 when the run did not pass (a threshold failed, a misroute, or the run ended early).")
    var check = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    func run() async throws {
        var stderr = StandardError()
        let result: (run: RunFiles, written: [String])
        do {
            result = try RunReport.regenerate(runDirectory)
        } catch {
            print("gauntlet report: \(error)", to: &stderr)
            throw GauntletExit.invalidInput
        }
        let passed = RunReport.passed(result.run.summary)
        if !quiet {
            for path in result.written { print("wrote \(path)") }
            let summary = result.run.summary
            let failed = summary.thresholds.filter { !$0.passed }.count
            print("\(summary.scenario.name): \(passed ? "PASS" : "FAIL") — \(summary.thresholds.count - failed)/\(summary.thresholds.count) thresholds held, \(summary.misroutes.total) misroutes")
        }
        if check && !passed { throw GauntletExit.thresholdFailed }
    }
}
