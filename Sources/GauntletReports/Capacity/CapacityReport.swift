import Foundation
import GauntletCore

/// The files of a capacity search's results directory: `capacity.json` (the interface) and the
/// `report.html` rendered from it.
public enum CapacityReport {
    public static let resultFile = "capacity.json"

    /// Writes `capacity.json` and `report.html` into `directory`; returns the paths written.
    @discardableResult
    public static func write(_ result: CapacityResult, to directory: String) throws(ReportError) -> [String] {
        let json = (directory as NSString).appendingPathComponent(resultFile)
        let html = (directory as NSString).appendingPathComponent("report.html")
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try result.encoded().write(to: URL(fileURLWithPath: json), options: .atomic)
        } catch {
            throw ReportError(file: json, message: "cannot write: \(error.localizedDescription)")
        }
        do {
            try Data(CapacityReportRenderer.render(result, directory: directory).utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
        } catch {
            throw ReportError(file: html, message: "cannot write: \(error.localizedDescription)")
        }
        return [json, html]
    }

    /// Reads a capacity result from its directory or its `capacity.json`; nil when `path` holds none.
    public static func load(_ path: String) throws(ReportError) -> CapacityResult? {
        var isDirectory: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
            ? (path as NSString).appendingPathComponent(resultFile) : path
        guard file.hasSuffix(resultFile), let data = FileManager.default.contents(atPath: file) else { return nil }
        do {
            return try CapacityResult.decode(data)
        } catch {
            throw ReportError(file: file, message: "not a capacity result: \(error)")
        }
    }
}
