// A release-built stand-in for `gauntlet run SCENARIO --out DIR --quiet [--live]`, linked by driver.sh from
// the harness modules alone (GAUNTLET_HARNESS_ONLY=1 swift build -c release), because a release build of the
// full CLI also compiles the reference stack, which takes far longer than a benchmark should wait.
// Same code path as RunCommand: ScenarioDecoder.load → Driver.run → ResultsWriter.write. With --live it also
// serves the live endpoint (address on stderr) and draws the terminal view's lines each second (discarded),
// so that driver.sh --live measures what the live view costs the generator at its most.
import Foundation
import GauntletCore
import GauntletDriver
import GauntletLive
import GauntletReports

@main
struct DriverBench {
    static func main() async throws {
        var arguments = CommandLine.arguments
        let live = arguments.contains("--live")
        arguments.removeAll { $0 == "--live" }
        guard arguments.count == 3 else {
            FileHandle.standardError.write(Data("usage: driver-bench SCENARIO OUT_DIR [--live]\n".utf8))
            exit(2)
        }
        let scenario = try ScenarioDecoder.load(path: arguments[1])
        try FileManager.default.createDirectory(atPath: arguments[2], withIntermediateDirectories: true)
        var options = DriverOptions(intervalsPath: arguments[2] + "/intervals.jsonl")
        var server: LiveServer?
        if live {
            let endpoint = try LiveServer(.loopback, target: "bench")
            server = endpoint
            FileHandle.standardError.write(Data("live view at \(endpoint.url)\n".utf8))
            options.onSnapshot = { snapshot in
                endpoint.publish(snapshot)
                // As LiveSession does on a TTY: the terminal view draws the endpoint's frame.
                if let frame = endpoint.currentFrame() { _ = LiveTerminalView.lines(frame, width: 100) }
            }
        }
        let result = try await Driver.run(scenario: scenario, endpoints: nil, options: options)
        server?.finish(result)
        server?.stop()
        try ResultsWriter.write(result, to: arguments[2])
        print(result.summary.table)
    }
}
