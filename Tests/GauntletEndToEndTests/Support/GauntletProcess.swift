import Foundation

/// The built `gauntlet` binary, run as a user runs it: arguments in, exit code and combined output back.
enum GauntletProcess {
    struct Invocation {
        var exitCode: Int32
        var output: String
    }

    /// The test bundle sits next to the products it was built with.
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("gauntlet")
    }

    static func run(_ arguments: [String]) throws -> Invocation {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Invocation(exitCode: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
