import ArgumentParser
import Foundation
import GauntletCore
import GauntletDriver
import GauntletReports

/// `gauntlet merge SHARD_DIR... --out DIR`: one result from the N shards of a run.
struct MergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the results of a sharded run (run --shard K/N) into one result, as exact as a single run's.",
        discussion: """
            Adds the shards' histograms bucket by bucket and their counts, aligns the per-second series on \
            the earliest start, evaluates the scenario's thresholds on the whole and renders every report \
            (summary.json, report.html, junit.xml, metrics.prom, .hlog) into --out, with a per-shard table. \
            Shards that do not belong together (another scenario or seed, an index given twice or missing, a \
            shard that did not finish) are refused with exit 2 and nothing is written. Exit codes as `run`: \
            0 thresholds held, 1 a threshold failed, 2 refused or bad input, 3 no request reached the target.
            """
    )

    @Argument(help: "The shards' results directories (one per shard, every shard of the run).")
    var shardDirectories: [String]

    @Option(help: "Write the merged results here.")
    var out: String

    func run() async throws {
        let summary = try Self.merge(shardDirectories, into: out, command: "merge")
        print(summary.table)
        if let merge = summary.merge { print(merge.table) }
        print("results: \(out)")
        try GauntletExit.check(summary)
    }

    /// Checks, adds and writes; a refusal or an unreadable shard exits 2 having written nothing.
    static func merge(_ directories: [String], into out: String, command: String) throws -> RunSummary {
        var stderr = StandardError()
        let merged: RunFiles
        do throws(MergeRefusal) {
            let (scenario, parts) = try RunMerge.check(directories)
            merged = try RunMerge.merge(parts, scenario: scenario, directory: out)
        } catch {
            print("gauntlet \(command): refused, nothing written:\n" + error.problems.map { "  - \($0)" }.joined(separator: "\n"), to: &stderr)
            throw GauntletExit.invalidInput
        }
        do {
            try ResultsWriter.write(RunResult(summary: merged.summary, timeSeries: merged.timeSeries, intervals: merged.intervals), to: out)
            _ = try RunReport.regenerate(out)
        } catch {
            print("gauntlet \(command): cannot write the merged results to \(out): \(error)", to: &stderr)
            throw GauntletExit.runFailed
        }
        return merged.summary
    }
}

extension GauntletExit {
    /// `run`'s verdict on a summary: 3 when no request got through to the target at all (it was not
    /// reachable), 1 when a threshold failed, else nothing thrown (0).
    static func check(_ summary: RunSummary) throws {
        if summary.targetUnreachable { throw runFailed }
        if !summary.thresholdsPassed { throw thresholdFailed }
    }
}
