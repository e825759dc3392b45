import ArgumentParser
import Foundation
import GauntletCore
import GauntletDriver

/// `gauntlet run SCENARIO --shards N --local`: the sharded contract on one machine. Starts the embedded
/// stack once (when the scenario asks for it), runs N `gauntlet run --shard K/N` processes against it with
/// one start barrier, then merges their results into the results directory, as `gauntlet merge` would.
struct LocalShards {
    let scenarioPath: String
    let scenario: Scenario
    let count: Int
    let out: String
    let endpoints: String?
    let workers: Int?
    let quiet: Bool
    /// Seconds from now to the start barrier: time for every process to start and resolve its target.
    static let barrierDelay = 3.0

    func run() async throws {
        var stderr = StandardError()
        let shardRoot = (out as NSString).appendingPathComponent("shards")
        do {
            try FileManager.default.createDirectory(atPath: shardRoot, withIntermediateDirectories: true)
        } catch {
            print("gauntlet run: cannot create \(shardRoot): \(error)", to: &stderr)
            throw GauntletExit.runFailed
        }
        var endpointsPath = endpoints
        var stack: EmbeddedStack?
        if endpointsPath == nil, case .embedded(let embedded) = scenario.target {
            let directory = (scenarioPath as NSString).deletingLastPathComponent
            let started = try await EmbeddedStack.startForCommand(embedded, scenarioDirectory: directory.isEmpty ? "." : directory, command: "run", quiet: quiet)
            stack = started
            let path = (shardRoot as NSString).appendingPathComponent("endpoints.json")
            do {
                try started.endpointsJSON.write(to: URL(fileURLWithPath: path))
            } catch {
                await started.stop()
                print("gauntlet run: cannot write \(path): \(error)", to: &stderr)
                throw GauntletExit.runFailed
            }
            endpointsPath = path
        }

        let startAt = (Date().timeIntervalSince1970 + Self.barrierDelay).rounded(.up)
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var processes: [(shard: Int, process: Process, directory: String)] = []
        for index in 0..<count {
            let directory = (shardRoot as NSString).appendingPathComponent("shard-\(index)")
            var arguments = ["run", scenarioPath, "--shard", "\(index)/\(count)", "--out", directory, "--start-at", String(format: "%.0f", startAt), "--quiet"]
            if let endpointsPath { arguments += ["--endpoints", endpointsPath] }
            if let workers { arguments += ["--workers", "\(workers)"] }
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            let log = (shardRoot as NSString).appendingPathComponent("shard-\(index).log")
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: log)
            process.standardError = process.standardOutput
            do {
                try process.run()
            } catch {
                print("gauntlet run: cannot start shard \(index): \(error)", to: &stderr)
                for (_, running, _) in processes { running.terminate() }
                await stack?.stop()
                throw GauntletExit.runFailed
            }
            processes.append((index, process, directory))
        }
        if !quiet { print("gauntlet run: \(count) shard processes, starting together at \(ISO8601Time.format(startAt)); logs in \(shardRoot)", to: &stderr) }
        for (index, process, _) in processes {
            while process.isRunning { try? await Task.sleep(nanoseconds: 50_000_000) }
            // 0 and 1 (a threshold failed on the shard's part) leave results to merge; 2 and 3 do not.
            if process.terminationStatus > 1 {
                print("gauntlet run: shard \(index) exited \(process.terminationStatus); see \(shardRoot)/shard-\(index).log", to: &stderr)
            }
        }
        if let stack {
            await stack.stop()
            if let log = stack.accessLog, FileManager.default.fileExists(atPath: log) {
                try? FileManager.default.removeItem(atPath: out + "/access.log")
                try? FileManager.default.copyItem(atPath: log, toPath: out + "/access.log")
            }
        }
        let summary: RunSummary
        do {
            summary = try MergeCommand.merge(processes.map(\.directory), into: out, command: "run --local")
        } catch let exit as ExitCode where exit == GauntletExit.invalidInput {
            throw GauntletExit.runFailed  // a shard that failed to run is the run failing, not bad input
        }
        print(summary.table)
        if let merge = summary.merge { print(merge.table) }
        print("results: \(out)")
        try GauntletExit.check(summary)
    }
}
