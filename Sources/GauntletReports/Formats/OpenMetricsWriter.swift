import Foundation

/// Writes OpenMetrics text (`metrics.prom`) that Prometheus' own text parser — what
/// `promtool check metrics` runs — accepts as well, or (`.prometheusText`) the Prometheus 0.0.4 text
/// format a live `/metrics` endpoint serves.
///
/// The two formats disagree about counters (OpenMetrics names the family without `_total`, the
/// Prometheus text format with it), so a finished run's figures are written as gauges and summaries,
/// which read the same in both: a run's request count is a fact about the run, not a live counter.
/// A live endpoint's counts do grow, so `counter` writes each format's own spelling.
/// `# UNIT` lines are OpenMetrics metadata and comments to the older parser. OpenMetrics text ends in `# EOF`.
public struct OpenMetricsWriter: Sendable {
    public typealias Labels = [(name: String, value: String)]

    public enum Format: Sendable {
        /// OpenMetrics 1.0 (`application/openmetrics-text`): `# UNIT`, `# EOF`.
        case openMetrics
        /// Prometheus text 0.0.4 (`text/plain; version=0.0.4`): what every Prometheus 2.x scrapes.
        case prometheusText
    }

    public struct InvalidName: Error, Sendable, Equatable, CustomStringConvertible {
        public var name: String
        public var description: String { "\"\(name)\" is not a valid metric or label name" }
    }

    public let format: Format
    private var families: [String] = []
    private var names: Set<String> = []

    public init(format: Format = .openMetrics) {
        self.format = format
    }

    /// A counter family; `name` without `_total`, which each format adds where it belongs.
    public mutating func counter(_ name: String, help: String, samples: [(labels: Labels, value: Double)]) throws(InvalidName) {
        let family = format == .openMetrics ? name : name + "_total"
        var lines = try header(family, type: "counter", help: help, unit: nil)
        for sample in samples {
            lines.append(try Self.sample(name + "_total", sample.labels, sample.value))
        }
        families.append(lines.joined(separator: "\n"))
    }

    /// A gauge family: one sample per label set.
    public mutating func gauge(_ name: String, help: String, unit: String? = nil, samples: [(labels: Labels, value: Double)]) throws(InvalidName) {
        var lines = try header(name, type: "gauge", help: help, unit: unit)
        for sample in samples {
            lines.append(try Self.sample(name, sample.labels, sample.value))
        }
        families.append(lines.joined(separator: "\n"))
    }

    /// A summary family: per label set, quantiles (0…1) with their values, plus `_sum` and `_count`.
    public mutating func summary(
        _ name: String, help: String, unit: String? = nil,
        series: [(labels: Labels, quantiles: [(quantile: Double, value: Double)], sum: Double, count: Double)]
    ) throws(InvalidName) {
        var lines = try header(name, type: "summary", help: help, unit: unit)
        for entry in series {
            for (quantile, value) in entry.quantiles {
                lines.append(try Self.sample(name, entry.labels + [("quantile", Self.number(quantile))], value))
            }
            lines.append(try Self.sample(name + "_sum", entry.labels, entry.sum))
            lines.append(try Self.sample(name + "_count", entry.labels, entry.count))
        }
        families.append(lines.joined(separator: "\n"))
    }

    /// The exposition, ending in a newline (after `# EOF` in OpenMetrics).
    public var text: String {
        (families + (format == .openMetrics ? ["# EOF"] : [])).joined(separator: "\n") + "\n"
    }

    private mutating func header(_ name: String, type: String, help: String, unit: String?) throws(InvalidName) -> [String] {
        guard Self.isMetricName(name), !names.contains(name) else { throw InvalidName(name: name) }
        if let unit, !name.hasSuffix("_" + unit) { throw InvalidName(name: name) }
        names.insert(name)
        var lines = ["# HELP \(name) \(Self.escapeHelp(help))", "# TYPE \(name) \(type)"]
        if let unit, format == .openMetrics { lines.append("# UNIT \(name) \(unit)") }
        return lines
    }

    static func sample(_ name: String, _ labels: Labels, _ value: Double) throws(InvalidName) -> String {
        guard labels.isEmpty else {
            var parts: [String] = []
            for label in labels {
                guard isLabelName(label.name) else { throw InvalidName(name: label.name) }
                parts.append("\(label.name)=\"\(escapeLabel(label.value))\"")
            }
            return "\(name){\(parts.joined(separator: ","))} \(number(value))"
        }
        return "\(name) \(number(value))"
    }

    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" || first == ":" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" || $0 == ":" }
    }

    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
        return !name.hasPrefix("__") && name.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" }
    }

    static func escapeLabel(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    static func escapeHelp(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Integers without a fraction, others in the shortest form that round-trips; NaN and ±Inf as
    /// both formats spell them.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
