import Foundation
import GauntletCore

/// `junit.xml` for a run: one test case per threshold, plus one for routing correctness (zero
/// misroutes is the only passing value, whether or not the scenario says so).
public enum RunJUnitRenderer {
    public static func render(_ summary: RunSummary) -> String {
        var cases: [JUnitReport.TestCase] = []
        for threshold in summary.thresholds {
            let outcome: JUnitReport.Outcome
            if threshold.passed {
                outcome = .passed
            } else if threshold.measured == nil {
                outcome = .failed(message: "no samples for \(threshold.metric)", type: "threshold", details: threshold.message)
            } else {
                outcome = .failed(message: threshold.message, type: "threshold", details: threshold.message)
            }
            cases.append(JUnitReport.TestCase(classname: "gauntlet.thresholds", name: threshold.expression, outcome: outcome, systemOut: threshold.passed ? threshold.message : nil))
        }
        let misroutes = summary.misroutes
        let routingOutcome: JUnitReport.Outcome
        if misroutes.total == 0 {
            routingOutcome = .passed
        } else {
            let kinds = misroutes.kinds.map { "\($0.kind.rawValue): \($0.count)" }.joined(separator: ", ")
            var details = "\(misroutes.total) responses broke the routing/auth matrix (\(kinds))"
            for example in misroutes.kinds.flatMap(\.examples).prefix(10) {
                details += "\n\(example.kind.rawValue): \(example.method) \(example.path) as \(example.role ?? "anonymous") → \(example.status)"
                    + " served by \(example.servedBy ?? "-"); expected \(example.expected)"
            }
            routingOutcome = .failed(message: "\(misroutes.total) misroutes (\(kinds))", type: "misroute", details: details)
        }
        cases.append(JUnitReport.TestCase(classname: "gauntlet.routing", name: "routing.misroutes == 0", outcome: routingOutcome))
        if summary.partial {
            cases.append(JUnitReport.TestCase(
                classname: "gauntlet.run", name: "run completed",
                outcome: .error(message: summary.partialReason ?? "the run ended early", type: "partial", details: summary.warnings.joined(separator: "\n"))
            ))
        }
        let suite = JUnitReport.Suite(
            name: "\(summary.scenario.name): thresholds",
            timestamp: String(summary.startedAt.prefix(19)),
            time: summary.elapsed,
            properties: [
                ("scenario", summary.scenario.name), ("seed", String(summary.scenario.seed)),
                ("gauntlet.version", summary.scenario.gauntletVersion), ("target", summary.scenario.target),
            ],
            cases: cases
        )
        return JUnitReport(name: "gauntlet", suites: [suite]).xml
    }
}
