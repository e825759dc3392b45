import Foundation
import GauntletCore

/// Regenerates every derived file of a results directory from `summary.json` and the logs beside it:
/// what `gauntlet report RUN_DIR` does, and what `run` calls once it has written the summary.
public enum RunReport {
    /// The files written, in order.
    public static let outputs = ["junit.xml", "metrics.prom", "latency.hlog", "service-time.hlog", "report.html"]

    /// Renders all outputs (pure); the keys are the file names.
    public static func render(_ run: RunFiles) -> [(name: String, text: String)] {
        [
            ("junit.xml", RunJUnitRenderer.render(run.summary)),
            ("metrics.prom", RunMetricsRenderer.render(run.summary)),
            ("latency.hlog", RunHistogramLogRenderer.render(run)),
            ("service-time.hlog", RunHistogramLogRenderer.render(run, serviceTime: true)),
            ("report.html", HTMLReportRenderer.render(run)),
        ]
    }

    /// Loads `path` (a run directory or its summary.json), renders and writes the outputs beside the
    /// summary. Returns the loaded run and the paths written.
    @discardableResult
    public static func regenerate(_ path: String) throws(ReportError) -> (run: RunFiles, written: [String]) {
        let run = try RunFiles.load(path)
        var written: [String] = []
        for (name, text) in render(run) {
            let target = (run.directory as NSString).appendingPathComponent(name)
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: target), options: .atomic)
            } catch {
                throw ReportError(file: target, message: "cannot write: \(error.localizedDescription)")
            }
            written.append(target)
        }
        return (run, written)
    }

    /// Exit status a CI can use: 0 when every threshold held and nothing was misrouted, else 1.
    public static func passed(_ summary: RunSummary) -> Bool {
        summary.thresholds.allSatisfy(\.passed) && summary.misroutes.total == 0 && !summary.partial
    }
}
