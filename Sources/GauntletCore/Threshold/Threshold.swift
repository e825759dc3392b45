/// A pass/fail rule on one figure of a run, written as `metric op value`: `latency.ui.p99 < 250ms`,
/// `routing.misroutes == 0`, `errors.rate < 0.1%`, `upload.events_per_second >= 50000`.
public struct Threshold: Sendable, Equatable, CustomStringConvertible {
    public enum Comparison: String, Sendable, Equatable, CaseIterable {
        case lessThan = "<"
        case lessOrEqual = "<="
        case greaterThan = ">"
        case greaterOrEqual = ">="
        case equal = "=="
        case notEqual = "!="

        func holds(_ measured: Double, _ limit: Double) -> Bool {
            switch self {
            case .lessThan: measured < limit
            case .lessOrEqual: measured <= limit
            case .greaterThan: measured > limit
            case .greaterOrEqual: measured >= limit
            case .equal: measured == limit
            case .notEqual: measured != limit
            }
        }
    }

    /// The text as written, kept for reports and JUnit test-case names.
    public var expression: String
    public var metric: String
    public var comparison: Comparison
    /// The limit in the metric's base unit: seconds, a fraction, a count or a plain number.
    public var limit: Double
    public var kind: MetricCatalog.Kind

    public var description: String { expression }

    public init(metric: String, comparison: Comparison, limit: Double, kind: MetricCatalog.Kind, expression: String? = nil) {
        self.metric = metric
        self.comparison = comparison
        self.limit = limit
        self.kind = kind
        self.expression = expression ?? "\(metric) \(comparison.rawValue) \(Threshold.format(limit, kind))"
    }

    /// Whether a measured value satisfies the threshold.
    public func holds(_ measured: Double) -> Bool {
        comparison.holds(measured, limit)
    }

    /// Renders a value of this threshold's unit the way the threshold was written.
    public static func format(_ value: Double, _ kind: MetricCatalog.Kind) -> String {
        switch kind {
        case .duration: Quantity.format(seconds: value)
        case .ratio: "\(Quantity.trim(value * 100))%"
        case .count: Quantity.trim(value)
        case .number: Quantity.trim(value)
        }
    }

    /// A parse failure, with the 0-based offset in the text where it was found.
    public struct ParseError: Error, Sendable, Equatable {
        public var offset: Int
        public var message: String
    }

    /// Parses `metric op value`.
    public static func parse(_ text: String) throws(ParseError) -> Threshold {
        let characters = Array(text)
        var index = 0
        func skipSpaces() { while index < characters.count, characters[index] == " " { index += 1 } }
        skipSpaces()
        let metricStart = index
        while index < characters.count, !" <>=!".contains(characters[index]) { index += 1 }
        let metric = String(characters[metricStart..<index])
        guard !metric.isEmpty else {
            throw ParseError(offset: metricStart, message: "expected `metric op value`, e.g. `latency.ui.p99 < 250ms`")
        }
        guard let kind = MetricCatalog.kind(of: metric) else {
            var message = "unknown metric \"\(metric)\""
            if let suggestion = DidYouMean.suggestion(for: metric, among: MetricCatalog.allNames) {
                message += "; did you mean \"\(suggestion)\"?"
            } else {
                message += "; expected a metric such as latency.<type>.p99, auth.login.p95, routing.misroutes, errors.rate, upload.events_per_second (see scenarios/README.md)"
            }
            throw ParseError(offset: metricStart, message: message)
        }
        skipSpaces()
        let operatorStart = index
        while index < characters.count, "<>=!".contains(characters[index]) { index += 1 }
        let operatorText = String(characters[operatorStart..<index])
        guard let comparison = Comparison(rawValue: operatorText) else {
            let got = operatorText.isEmpty ? "nothing" : "\"\(operatorText)\""
            throw ParseError(offset: operatorStart, message: "expected a comparison (<, <=, >, >=, ==, !=) after \(metric), got \(got)")
        }
        skipSpaces()
        let valueStart = index
        let valueText = String(characters[valueStart...]).trimmingSpaces()
        guard !valueText.isEmpty else {
            throw ParseError(offset: valueStart, message: "expected a value after \(operatorText)")
        }
        let limit: Double?
        let expected: String
        switch kind {
        case .duration:
            // A bare number is ambiguous for a latency (ms? s?), so a unit is required.
            limit = valueText.contains(where: \.isLetter) ? Quantity.seconds(valueText) : nil
            expected = "a duration with a unit, e.g. 250ms or 1.5s"
        case .ratio:
            limit = Quantity.ratio(valueText).flatMap { (0...1).contains($0) ? $0 : nil }
            expected = "a fraction such as 0.1% or 0.001"
        case .count:
            limit = Double(valueText).flatMap { $0 >= 0 && $0 == $0.rounded() ? $0 : nil }
            expected = "a whole number"
        case .number:
            limit = Double(valueText).flatMap { $0.isFinite ? $0 : nil }
            expected = "a number"
        }
        guard let limit else {
            throw ParseError(offset: valueStart, message: "expected \(expected) for \(metric), got \"\(valueText)\"")
        }
        return Threshold(metric: metric, comparison: comparison, limit: limit, kind: kind, expression: text.trimmingSpaces())
    }
}

/// The outcome of one threshold for one run.
public struct ThresholdVerdict: Sendable, Equatable {
    public var threshold: Threshold
    /// nil when the run produced no value for the metric (no samples): that fails the threshold.
    public var measured: Double?
    public var passed: Bool

    public init(threshold: Threshold, measured: Double?) {
        self.threshold = threshold
        self.measured = measured
        self.passed = measured.map(threshold.holds) ?? false
    }

    /// `latency.ui.p99 < 250ms: 187ms — ok`, for terminals and JUnit messages.
    public var summary: String {
        let value = measured.map { Threshold.format($0, threshold.kind) } ?? "no samples"
        return "\(threshold.expression): measured \(value) — \(passed ? "ok" : "FAILED")"
    }
}

extension Array where Element == Threshold {
    /// Evaluates every threshold against a lookup of measured figures by metric name.
    public func evaluate(_ measured: (String) -> Double?) -> [ThresholdVerdict] {
        map { ThresholdVerdict(threshold: $0, measured: measured($0.metric)) }
    }
}
