import Foundation
import GauntletCore

/// `shard.json`: what a shard leaves beside its `summary.json` so that `gauntlet merge` can add it to its
/// siblings exactly: the scenario it ran (its text, so that a merge can tell shards of different scenarios
/// apart and rebuild the thresholds and phases) and its figures in addable form.
public struct ShardFile: Sendable, Equatable, Codable {
    public static let name = "shard.json"
    public var scenarioFile: String
    public var scenarioText: String
    public var totals: RunTotals

    public init(scenarioFile: String, scenarioText: String, totals: RunTotals) {
        self.scenarioFile = scenarioFile
        self.scenarioText = scenarioText
        self.totals = totals
    }

    public func write(toDirectory directory: String) throws {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(Self.name)), options: .atomic)
    }

    /// Reads a shard's `shard.json`; a run directory without one was not run with `--shard`.
    public static func load(directory: String) throws(ReportError) -> ShardFile {
        let path = (directory as NSString).appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReportError(file: path, message: "missing: not a shard's results (run it with --shard K/N)")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(ShardFile.self, from: data)
        } catch let error as DecodingError {
            throw ReportError(file: path, message: RunFiles.describe(error))
        } catch {
            throw ReportError(file: path, message: "\(error)")
        }
    }
}
