import ArgumentParser
import Foundation
import GauntletCore
import GauntletDriver
import GauntletReports

/// The options `run`, `replay` and `capacity` share: where the results go, which running stack to drive
/// instead of the embedded one, how many load-generator threads, and whether to show live progress.
struct DriveOptions: ParsableArguments {
    @Option(help: "Write the results to this directory instead of results/<name>-<UTC time>.")
    var out: String?

    @Option(help: "An endpoints file written by `gauntlet stack --endpoints`: drive that stack instead of the embedded one.")
    var endpoints: String?

    @Option(help: "Load-generator threads (for run, overrides the scenario's http.workers).")
    var workers: Int?

    @Flag(help: "No live progress line.")
    var quiet = false

    func validate() throws {
        if let workers, workers < 1 { throw ValidationError("--workers: expected at least 1, got \(workers)") }
    }
}

/// What a scenario's run drives: a running stack named by `--endpoints`, the embedded stack started for
/// the command, or (neither) the scenario's own URLs.
struct DriveTarget {
    var endpoints: Endpoints?
    var stack: EmbeddedStack?

    func stop() async { await stack?.stop() }
}

extension DriveOptions {
    /// Opens `--endpoints`, or starts the embedded stack when the scenario asks for it. A failure is
    /// printed and mapped to its exit code (2: a bad endpoints file or stack config; 3: it would not start).
    func startTarget(for scenario: Scenario, scenarioDirectory: String, command: String) async throws -> DriveTarget {
        var stderr = StandardError()
        var started: EmbeddedStack?
        do {
            if let endpoints { return DriveTarget(endpoints: try Driver.loadEndpoints(path: endpoints)) }
            guard case .embedded(let embedded) = scenario.target else { return DriveTarget() }
            let stack = try await EmbeddedStack.startForCommand(embedded, scenarioDirectory: scenarioDirectory, command: command, quiet: quiet)
            started = stack
            return DriveTarget(endpoints: try Endpoints.decode(stack.endpointsJSON), stack: stack)
        } catch let error as DriverError {
            await started?.stop()
            print("gauntlet \(command): \(error)", to: &stderr)
            throw GauntletExit.invalidInput
        }
    }
}

/// What `run` and `replay` do with a finished run's results.
enum RunOutput {
    /// Writes the results files and, for the embedded stack, a copy of its ALB access log (itself a replay
    /// source: `gauntlet replay RUN_DIR/access.log`). False, after saying why, when they could not be written.
    static func write(_ result: RunResult, to directory: String, accessLog: String?, command: String) -> Bool {
        do {
            try ResultsWriter.write(result, to: directory)
            if let accessLog, FileManager.default.fileExists(atPath: accessLog) {
                let copy = (directory as NSString).appendingPathComponent("access.log")
                try? FileManager.default.removeItem(atPath: copy)
                try FileManager.default.copyItem(atPath: accessLog, toPath: copy)
            }
            return true
        } catch {
            var stderr = StandardError()
            print("gauntlet \(command): cannot write the results to \(directory): \(error)", to: &stderr)
            return false
        }
    }

    /// Renders the reports over the written results; a failure here leaves the results, and says so.
    static func renderReports(_ directory: String, command: String) {
        do {
            _ = try RunReport.regenerate(directory)
        } catch {
            var stderr = StandardError()
            print("gauntlet \(command): the results are written, but the reports could not be rendered: \(error)", to: &stderr)
        }
    }
}
