import ArgumentParser

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Not available yet: lands with traffic replay (issue 8)."
    )

    func run() async throws {
        throw notYetAvailable("replay", landsWith: "traffic replay (issue 8)")
    }
}
