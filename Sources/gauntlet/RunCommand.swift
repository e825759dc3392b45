import ArgumentParser

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Not available yet: lands with the load driver (issue 6)."
    )

    func run() async throws {
        throw notYetAvailable("run", landsWith: "the load driver (issue 6)")
    }
}
