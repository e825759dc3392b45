import ArgumentParser

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Not available yet."
    )

    func run() async throws {
        throw notYetAvailable("validate", landsWith: "the scenario format (issue 2)")
    }
}
