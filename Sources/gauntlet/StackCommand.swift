import ArgumentParser

struct StackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stack",
        abstract: "Not available yet: lands with the reference stack (issue 3)."
    )

    func run() async throws {
        throw notYetAvailable("stack", landsWith: "the reference stack (issue 3)")
    }
}
