import ArgumentParser

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Not available yet: lands with the reports (issue 7)."
    )

    func run() async throws {
        throw notYetAvailable("report", landsWith: "the reports (issue 7)")
    }
}
