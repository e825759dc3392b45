import Foundation
import GauntletCore

/// The terminal's live view on a TTY: a few lines redrawn in place each second — a progress bar with
/// elapsed and remaining time, each request type's rate against its target and p99 over the last second,
/// then errors, misroutes, requests in flight and schedule lag.
///
/// Pure: the lines for a frame and a width, and the escape sequence that replaces the previous drawing.
/// Off a TTY the CLI prints `RunProgress.line` instead, which holds no escape codes.
public enum LiveTerminalView {
    /// The view's lines, each cut to `width` columns.
    public static func lines(_ frame: LiveFrame, width: Int) -> [String] {
        let summary = frame.summary
        let remaining = max(0, frame.duration - frame.elapsed)
        let phase = frame.phase.map { "  phase \($0.name)" } ?? ""
        let status = "  \(clock(frame.elapsed)) / \(clock(frame.duration))  \(frame.finished ? "done" : clock(remaining) + " left")\(phase)"
        let barWidth = max(10, min(40, width - status.count - summary.scenario.name.count - 4))
        let filled = frame.duration > 0 ? Int((Double(barWidth) * min(1, frame.elapsed / frame.duration)).rounded(.down)) : barWidth
        var lines = ["\(summary.scenario.name) [" + String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled) + "]" + status]
        let nameWidth = summary.requestTypes.map(\.type.rawValue.count).max() ?? 0
        for type in summary.requestTypes {
            // Running: the last second's rate and p99; finished: the measured phases' (as the summary table).
            let point = frame.lastPoint(type.type)
            let rate = frame.finished ? type.total.achievedRate : Double(point?.count ?? 0)
            let intended = frame.finished ? type.total.intendedRate : point?.intendedRate
            let p99 = frame.finished ? type.total.latency?.p99 : point?.p99
            let target = intended.map { String(format: "%.0f", $0) } ?? (point == nil && !frame.finished ? "–" : "max")
            let name = type.type.rawValue.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            let (count, failed) = frame.requests(type)
            var line = "  \(name)  \(String(format: "%.0f", rate))/\(target) req/s"
            line += "  p99 " + (p99.map { Quantity.format(seconds: $0) } ?? "–")
            line += "  \(count) done  \(failed) failed"
            lines.append(line)
        }
        let errors = frame.errorsByCategory.prefix(4).map { "\($0.category) \($0.count)" }.joined(separator: ", ")
        var last = "  errors: \(errors.isEmpty ? "none" : errors)  misroutes \(summary.misroutes.total)  in flight \(frame.inFlight)"
        if let lag = summary.scheduleLag.lag { last += "  schedule lag p99 \(Quantity.format(seconds: lag.p99))" }
        lines.append(last)
        return lines.map { cut($0, to: width) }
    }

    /// What to write to replace a drawing of `previous` lines with `lines`: up to the first line, clear
    /// to the end of the screen, draw. One write, so the terminal never shows half a frame.
    public static func redraw(previous: Int, lines: [String]) -> String {
        (previous > 0 ? "\u{1B}[\(previous)A\r" : "") + "\u{1B}[J" + lines.joined(separator: "\n") + "\n"
    }

    /// `m:ss`, or `h:mm:ss` from an hour.
    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.down))
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }

    static func cut(_ line: String, to width: Int) -> String {
        guard width > 1, line.count > width else { return line }
        return String(line.prefix(width - 1)) + "…"
    }
}
