import ArgumentParser

struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Not available yet: lands with baseline comparison (issue 7)."
    )

    func run() async throws {
        throw notYetAvailable("compare", landsWith: "baseline comparison (issue 7)")
    }
}
