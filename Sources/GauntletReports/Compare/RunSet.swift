import Foundation
import GauntletCore

/// The runs one side of `compare` names: a run directory, a `summary.json`, or a directory whose
/// subdirectories are runs (several runs of one build, for noise-aware comparison).
public enum RunSet {
    public static func load(_ paths: [String]) throws(ReportError) -> [RunSummary] {
        try loadRuns(paths).map(\.summary)
    }

    /// The runs with their interval logs (for the rank test).
    public static func loadRuns(_ paths: [String]) throws(ReportError) -> [RunFiles] {
        var summaries: [RunFiles] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ReportError(file: path, message: "no such run directory or summary.json")
            }
            if isDirectory.boolValue, !FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("summary.json")) {
                let children = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
                    .map { (path as NSString).appendingPathComponent($0) }
                    .filter { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("summary.json")) }
                guard !children.isEmpty else {
                    throw ReportError(file: path, message: "holds no summary.json, nor run directories with one")
                }
                for child in children { summaries.append(try RunFiles.load(child)) }
            } else {
                summaries.append(try RunFiles.load(path))
            }
        }
        return summaries
    }
}
