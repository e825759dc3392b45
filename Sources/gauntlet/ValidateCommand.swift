import ArgumentParser
import GauntletCore

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check scenario files completely and report every problem.",
        discussion: """
            Each problem is printed as FILE:LINE:COLUMN: FIELD: what is wrong and what was expected. \
            Unknown keys are errors, with a suggestion when a known key is close. Exits 0 when every file \
            is valid and 2 otherwise.
            """
    )

    @Argument(help: "Scenario files (YAML) to check.")
    var files: [String]

    @Flag(name: .shortAndLong, help: "Print nothing for valid files.")
    var quiet = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("Name at least one scenario file.") }
    }

    func run() throws {
        var stderr = StandardError()
        var failed = false
        for file in files {
            do {
                let scenario = try ScenarioDecoder.load(path: file)
                if !quiet {
                    let types = scenario.requestTypes.map(\.rawValue).joined(separator: ", ")
                    print("\(file): ok — \"\(scenario.name)\", \(Quantity.format(seconds: scenario.duration)), \(types), \(scenario.thresholds.count) thresholds")
                }
            } catch {
                failed = true
                for issue in error.issues { print(issue.description, to: &stderr) }
                let count = error.issues.count
                print("\(file): \(count) error\(count == 1 ? "" : "s")", to: &stderr)
            }
        }
        if failed { throw GauntletExit.invalidInput }
    }
}
