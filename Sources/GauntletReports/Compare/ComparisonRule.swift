import Foundation
import GauntletCore

/// How much a metric may move before `compare` calls it a change: a relative and an absolute
/// tolerance, the larger of the two applying. Rules match metric names by glob (`latency.*.p99`).
public struct ComparisonRule: Sendable, Equatable, CustomStringConvertible {
    public var pattern: String
    /// A fraction of the baseline (0.1 = 10%).
    public var relative: Double
    /// In the metric's base unit (seconds, a fraction, a count).
    public var absolute: Double

    public init(pattern: String, relative: Double, absolute: Double) {
        self.pattern = pattern
        self.relative = relative
        self.absolute = absolute
    }

    public var description: String { "\(pattern)=\(ChartFormat.trim(relative * 100, 2))%,\(absolute)" }

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var text: String
        public var message: String
        public var description: String { "\"\(text)\": \(message)" }
    }

    /// `PATTERN=REL[,ABS]`: `latency.*.p99=15%,2ms`, `errors.rate=0,0.1%`, `routing.misroutes=0,0`.
    /// The absolute part takes the unit of the metrics it names (a duration, a ratio or a number).
    public static func parse(_ text: String) throws(ParseError) -> ComparisonRule {
        let parts = text.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[0].isEmpty else {
            throw ParseError(text: text, message: "expected PATTERN=RELATIVE[,ABSOLUTE], e.g. latency.*.p99=15%,2ms")
        }
        let values = parts[1].split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
        guard values.count <= 2, let relative = Quantity.ratio(values[0]), relative >= 0 else {
            throw ParseError(text: text, message: "expected a relative tolerance such as 10% or 0.1 after =")
        }
        var absolute = 0.0
        if values.count == 2 {
            let kind = MetricComparison.kind(ofPattern: parts[0])
            let parsed: Double? = switch kind {
            case .duration: Quantity.seconds(values[1])
            case .ratio: Quantity.ratio(values[1])
            case .count, .number: Double(values[1])
            }
            guard let parsed, parsed >= 0 else {
                throw ParseError(text: text, message: "expected an absolute tolerance in the metric's unit (\(kind.rawValue)), got \"\(values[1])\"")
            }
            absolute = parsed
        }
        return ComparisonRule(pattern: parts[0], relative: relative, absolute: absolute)
    }

    public func matches(_ metric: String) -> Bool {
        Self.glob(Array(pattern), Array(metric))
    }

    static func glob(_ pattern: [Character], _ text: [Character]) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        if first == "*" {
            for split in 0...text.count where glob(Array(pattern.dropFirst()), Array(text[split...])) { return true }
            return false
        }
        guard let head = text.first, first == "?" || first == head else { return false }
        return glob(Array(pattern.dropFirst()), Array(text.dropFirst()))
    }

    /// The defaults: tails are noisier than medians, and any new misroute is one. Medians gate at 3%
    /// (0.1 ms at least): a 10% slower backend shows as less than 10% end to end, because the request
    /// also spends time in TLS, the load balancer and the client. That tolerance is safe only because a
    /// regression must also clear the noise with the gate's confidence (``MetricEvidence``).
    public static let defaults: [ComparisonRule] = [
        ComparisonRule(pattern: "routing.*", relative: 0, absolute: 0),
        ComparisonRule(pattern: "latency.*.p50", relative: 0.03, absolute: 0.0001),
        ComparisonRule(pattern: "*.p99.9", relative: 0.25, absolute: 0.002),
        ComparisonRule(pattern: "*.p99.99", relative: 0.25, absolute: 0.002),
        ComparisonRule(pattern: "*.max", relative: 0.5, absolute: 0.005),
        ComparisonRule(pattern: "*.p99", relative: 0.10, absolute: 0.001),
        ComparisonRule(pattern: "latency.*", relative: 0.10, absolute: 0.001),
        ComparisonRule(pattern: "service_time.*", relative: 0.10, absolute: 0.001),
        ComparisonRule(pattern: "auth.*", relative: 0.10, absolute: 0.001),
        ComparisonRule(pattern: "upload.freshness.*", relative: 0.15, absolute: 0.05),
        ComparisonRule(pattern: "errors.*", relative: 0.5, absolute: 0.001),
        ComparisonRule(pattern: "*", relative: 0.10, absolute: 0),
    ]
}
