// A release-built stand-in for `gauntlet run SCENARIO --out DIR --quiet`, linked by driver.sh from the
// harness modules alone (GAUNTLET_HARNESS_ONLY=1 swift build -c release), because a release build of the
// full CLI also compiles the reference stack, which takes far longer than a benchmark should wait.
// Same code path as RunCommand: ScenarioDecoder.load → Driver.run → ResultsWriter.write.
import Foundation
import GauntletCore
import GauntletDriver

@main
struct DriverBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 3 else {
            FileHandle.standardError.write(Data("usage: driver-bench SCENARIO OUT_DIR\n".utf8))
            exit(2)
        }
        let scenario = try ScenarioDecoder.load(path: arguments[1])
        try FileManager.default.createDirectory(atPath: arguments[2], withIntermediateDirectories: true)
        let result = try await Driver.run(scenario: scenario, endpoints: nil, options: DriverOptions(intervalsPath: arguments[2] + "/intervals.jsonl"))
        try ResultsWriter.write(result, to: arguments[2])
        print(result.summary.table)
    }
}
