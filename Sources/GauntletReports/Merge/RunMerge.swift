import Foundation
import GauntletCore

/// `gauntlet merge`: adds the results of N shards into the result one machine would have written.
///
/// Histograms are added bucket by bucket and counters one by one (from each shard's `shard.json`), so the
/// merged percentiles are those of the whole, not averages of the parts. The per-second series and
/// interval histograms are aligned on the earliest shard's start. Shards that do not belong together are
/// refused before anything is read beyond their summaries, and nothing is written.
public enum RunMerge {
    /// One shard's results, checked.
    public struct Part: Sendable {
        public var directory: String
        public var summary: RunSummary
        public var info: ShardInfo
        public var file: ShardFile
    }

    /// Loads the shards' summaries and `shard.json` files and checks that they are the N shards of one run:
    /// the same scenario text, seed and target, every index from 0 to N−1 exactly once, each finished.
    public static func check(_ directories: [String]) throws(MergeRefusal) -> (scenario: Scenario, parts: [Part]) {
        var problems: [String] = []
        var parts: [Part] = []
        for directory in directories {
            do {
                let (resolved, summary) = try RunFiles.loadSummary(directory)
                guard let info = summary.shard else {
                    problems.append("\(directory): not a shard (its summary.json has no `shard`): run it with --shard K/N")
                    continue
                }
                let file = try ShardFile.load(directory: resolved)
                parts.append(Part(directory: resolved, summary: summary, info: info, file: file))
            } catch {
                problems.append(error.description)
            }
        }
        if directories.isEmpty { problems.append("no shard directories given") }
        guard problems.isEmpty, let first = parts.first else { throw MergeRefusal(problems: problems) }

        for part in parts.dropFirst() {
            let name = "shard \(part.info.index) (\(part.directory))"
            let firstName = "shard \(first.info.index) (\(first.directory))"
            if part.summary.scenario.name != first.summary.scenario.name || part.file.scenarioText != first.file.scenarioText {
                problems.append("\(name) ran a different scenario from \(firstName): \(part.file.scenarioFile) (\(part.summary.scenario.name)) against \(first.file.scenarioFile) (\(first.summary.scenario.name))")
            } else if part.summary.scenario.seed != first.summary.scenario.seed {
                problems.append("\(name) ran with seed \(part.summary.scenario.seed), \(firstName) with seed \(first.summary.scenario.seed)")
            }
            if part.summary.scenario.target != first.summary.scenario.target {
                problems.append("\(name) ran against \(part.summary.scenario.target), \(firstName) against \(first.summary.scenario.target)")
            }
            if part.info.count != first.info.count {
                problems.append("\(name) is one of \(part.info.count) shards, \(firstName) one of \(first.info.count)")
            }
        }
        for part in parts where part.summary.partial {
            problems.append("shard \(part.info.index) (\(part.directory)) did not finish: \(part.summary.partialReason ?? "partial results")")
        }
        let count = first.info.count
        var byIndex: [Int: [String]] = [:]
        for part in parts { byIndex[part.info.index, default: []].append(part.directory) }
        for (index, directories) in byIndex.sorted(by: { $0.key < $1.key }) where directories.count > 1 {
            problems.append("shard \(index) of \(count) is given \(directories.count) times: \(directories.joined(separator: ", "))")
        }
        let missing = (0..<count).filter { byIndex[$0] == nil }
        if !missing.isEmpty {
            problems.append("missing shard\(missing.count > 1 ? "s" : "") \(missing.map(String.init).joined(separator: ", ")) of \(count): a merge needs every shard of the run")
        }
        guard problems.isEmpty else { throw MergeRefusal(problems: problems) }

        let scenario: Scenario
        do {
            scenario = try ScenarioDecoder.decode(yaml: first.file.scenarioText, file: first.file.scenarioFile)
        } catch {
            throw MergeRefusal(problems: ["\(first.directory)/\(ShardFile.name): its scenario no longer decodes: \(error.description)"])
        }
        return (scenario, parts.sorted { $0.info.index < $1.info.index })
    }

    /// Adds checked shards into one run's files (the summary with thresholds evaluated on the whole, the
    /// aligned series and interval histograms), placed in `directory`.
    public static func merge(_ parts: [Part], scenario: Scenario, directory: String) throws(MergeRefusal) -> RunFiles {
        var accumulator = RunAccumulator(scenario: scenario, workers: 1)
        for part in parts {
            do {
                try accumulator.add(part.file.totals)
            } catch {
                throw MergeRefusal(problems: ["shard \(part.info.index) (\(part.directory)): \(error.description)"])
            }
        }
        let commonStart = parts.map(\.info.startedAt).min() ?? 0
        let lastStart = parts.map(\.info.startedAt).max() ?? 0
        let end = parts.map { $0.info.startedAt + $0.summary.elapsed }.max() ?? commonStart
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let first = parts[0].summary
        let hosts = parts.map(\.info.host).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var summary = accumulator.summary(
            timing: .init(
                startedAt: formatter.string(from: Date(timeIntervalSince1970: commonStart)),
                endedAt: formatter.string(from: Date(timeIntervalSince1970: end)),
                elapsed: parts.map(\.summary.elapsed).max() ?? 0),
            target: first.scenario.target, gauntletVersion: first.scenario.gauntletVersion,
            machine: MachineInfo(hostname: hosts.joined(separator: ","), cpus: parts.reduce(0) { $0 + $1.summary.machine.cpus }, os: first.machine.os),
            partialReason: nil)
        let skew = lastStart - commonStart
        if skew >= 0.5 {
            summary.warnings.append("shards started up to \(Quantity.format(seconds: skew)) apart: the merged per-second series is aligned on whole seconds (use --start-at)")
        }
        for part in parts {
            for warning in part.summary.warnings { summary.warnings.append("shard \(part.info.index) (\(part.info.host)): \(warning)") }
        }
        summary.merge = MergeInfo(
            shards: parts.map { part in
                ShardRow(
                    index: part.info.index, host: part.info.host, directory: part.directory, startOffset: part.info.startedAt - commonStart,
                    intended: part.summary.all.intendedCount, count: part.summary.all.count, failed: part.summary.all.failed,
                    lagP99: part.summary.scheduleLag.lag?.p99, fellBehind: part.summary.scheduleLag.fellBehind,
                    clockSynchronized: part.info.clock.synchronized)
            },
            startSkew: skew, commonStart: commonStart)

        var series = SeriesMerge()
        for part in parts {
            let offset = Int((part.info.startedAt - commonStart).rounded())
            do {
                try series.add(directory: part.directory, offset: offset)
            } catch {
                throw MergeRefusal(problems: [error.description])
            }
        }
        let (timeSeries, intervals) = series.finish(phases: scenario.phases.map(\.name))
        return RunFiles(directory: directory, summary: summary, timeSeries: timeSeries, intervals: intervals)
    }
}

/// Why shards cannot be merged: every problem found, each naming the shard and its directory.
public struct MergeRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [String]

    public var description: String { problems.joined(separator: "\n") }
}
