import ArgumentParser
import Foundation
import GauntletCore
import GauntletReports

/// `run`'s scale-out options: which shard this process is, when the shards start, and the local fan-out.
struct ShardOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Run shard K of N (0-based, K/N): every N-th arrival of each schedule, every N-th user of each role, 1/N of closed-loop connections.",
        valueName: "K/N"))
    var shard: String?

    @Option(help: "The shard count, when the index comes from the engine (JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID); with --local, how many processes to start.")
    var shards: Int?

    @Option(help: ArgumentHelp("Start the schedule at this UTC time (ISO 8601, or Unix epoch seconds): a barrier that starts the shards together.", valueName: "TIME"))
    var startAt: String?

    @Flag(help: "With --shards N: run N shard processes on this machine and merge their results into the results directory.")
    var local = false

    func validate() throws {
        if local {
            guard let shards, shards >= 1 else { throw ValidationError("--local needs --shards N (N ≥ 1): how many shard processes to start") }
            guard shard == nil else { throw ValidationError("--local starts every shard itself; it cannot be combined with --shard") }
        }
        if let shards, shards < 1 { throw ValidationError("--shards must be at least 1, got \(shards)") }
        if startAt != nil { _ = try startEpoch() }
    }

    /// The shard this process runs: `--shard`, else the engine's environment, else nil (unsharded).
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ShardError) -> Shard? {
        if let shard {
            let parsed = try Shard.parse(shard)
            if let shards, shards != parsed.count { throw ShardError("--shard \(shard) disagrees with --shards \(shards)") }
            return parsed
        }
        if let fromEngine = try Shard.fromEnvironment(environment, shards: shards) { return fromEngine }
        if let shards, shards > 1 {
            throw ShardError("--shards \(shards) without --shard K/N, --local or an engine's index (JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID)")
        }
        return nil
    }

    /// The shard for `scenario`, or nil (unsharded; also with --local, whose processes each get one).
    /// Prints what is wrong and exits 2 when the shard is unusable or the scenario cannot be split.
    func check(_ scenario: Scenario) throws -> Shard? {
        var stderr = StandardError()
        do throws(ShardError) {
            if local {
                let problems = try Shard(index: 0, count: shards ?? 1).problems(for: scenario)
                guard problems.isEmpty else { throw ShardError(problems.joined(separator: "\n")) }
                return nil
            }
            guard let shard = try resolve() else { return nil }
            let problems = shard.problems(for: scenario)
            guard problems.isEmpty else { throw ShardError(problems.joined(separator: "\n")) }
            return shard
        } catch {
            print("gauntlet run: \(error.description)", to: &stderr)
            throw GauntletExit.invalidInput
        }
    }

    /// `--start-at` as epoch seconds.
    func startEpoch() throws(ValidationError) -> Double? {
        guard let startAt else { return nil }
        if let epoch = Double(startAt), epoch > 0 { return epoch }
        guard let parsed = ISO8601Time.parse(startAt) else {
            throw ValidationError("--start-at \"\(startAt)\" is neither an ISO 8601 UTC time (2026-12-03T09:00:00Z) nor epoch seconds")
        }
        return parsed
    }

    /// Writes the shard's `shard.json` (the scenario text and the addable totals) beside its results.
    /// False, after saying why, when it could not be written.
    func writeShardFile(scenarioPath: String, totals: RunTotals, to directory: String) -> Bool {
        do {
            let text = String(decoding: FileManager.default.contents(atPath: scenarioPath) ?? Data(), as: UTF8.self)
            try ShardFile(scenarioFile: scenarioPath, scenarioText: text, totals: totals).write(toDirectory: directory)
            return true
        } catch {
            var stderr = StandardError()
            print("gauntlet run: cannot write the shard's totals to \(directory): \(error)", to: &stderr)
            return false
        }
    }
}
