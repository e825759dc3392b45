import ArgumentParser
import Foundation

/// The `gauntlet` command. Each subcommand only wires modules together and maps outcomes to exit codes
/// (see `GauntletExit`); the work itself lives in the libraries.
@main
struct Gauntlet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gauntlet",
        abstract: "Load testing and traffic replay for authenticated, role-routed SaaS edges.",
        discussion: """
            Gauntlet drives three request types — uploads, UI page loads and the UIs' API calls — at the \
            rates a scenario sets, checks every response against the routing/auth matrix, and measures \
            auth latency, routing correctness and upload throughput. `gauntlet stack` runs the included \
            reference stack; `target: embedded` in a scenario starts it in-process.

            Exit codes: 0 all thresholds held; 1 a threshold failed (or `compare` found a regression); \
            2 bad usage or invalid input; 3 the run itself failed.
            """,
        version: GauntletVersion.string,
        subcommands: [
            RunCommand.self,
            ReplayCommand.self,
            StackCommand.self,
            ValidateCommand.self,
            ReportCommand.self,
            CompareCommand.self,
            CapacityCommand.self,
            MergeCommand.self,
        ]
    )

    /// Runs the command, mapping usage errors to exit code 2 (swift-argument-parser's default is 64) so that
    /// every kind of bad input, from an unknown option to an invalid scenario, exits the same way.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                var stderr = StandardError()
                print(fullMessage(for: error), to: &stderr)
                Foundation.exit(GauntletExit.invalidInput.rawValue)
            }
            exit(withError: error)
        }
    }
}

/// Gauntlet's process exit codes; they are part of its interface for CI.
enum GauntletExit {
    /// Every threshold held.
    static let ok = ExitCode(0)
    /// A threshold failed, or `compare` found a regression.
    static let thresholdFailed = ExitCode(1)
    /// Bad usage or invalid input (scenario, log, results directory).
    static let invalidInput = ExitCode(2)
    /// The run itself failed (the target could not be reached, the stack would not start, …).
    static let runFailed = ExitCode(3)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
