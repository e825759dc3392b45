import Foundation

/// How a chart writes the numbers on an axis, and the unit it names in the axis title.
public enum ChartFormat: Sendable, Equatable {
    /// Durations given in seconds, shown in µs, ms or s depending on the axis' range.
    case duration
    /// Per-second rates (requests/s, events/s).
    case rate(String)
    /// Fractions shown as percentages.
    case percent
    /// Plain counts or numbers, with an optional unit name.
    case number(String?)
    /// Seconds since the start of the run.
    case elapsed

    /// The scale factor and unit name for an axis whose values reach `magnitude`.
    func unit(for magnitude: Double) -> (scale: Double, name: String?) {
        switch self {
        case .duration:
            if magnitude < 1e-3 { return (1e6, "µs") }
            if magnitude < 1 { return (1e3, "ms") }
            return (1, "s")
        case .rate(let name): return (1, name)
        case .percent: return (100, "%")
        case .number(let name): return (1, name)
        case .elapsed: return (1, "s")
        }
    }

    /// A tick or value label: `250`, `1.5`, `12k`.
    static func label(_ value: Double, scale: Double) -> String {
        let scaled = value * scale
        if scaled == 0 { return "0" }
        let magnitude = abs(scaled)
        if magnitude >= 1e6 { return trim(scaled / 1e6, 1) + "M" }
        if magnitude >= 1e4 { return trim(scaled / 1e3, 1) + "k" }
        if magnitude >= 100 { return trim(scaled, 0) }
        if magnitude >= 10 { return trim(scaled, 1) }
        if magnitude >= 1 { return trim(scaled, 2) }
        return trim(scaled, 3)
    }

    /// A value with its unit, e.g. `187 ms`, for tables and tooltips.
    public func format(_ value: Double) -> String {
        let (scale, name) = unit(for: abs(value))
        let text = Self.label(value, scale: scale)
        guard let name else { return text }
        return name == "%" ? text + "%" : "\(text) \(name)"
    }

    static func trim(_ value: Double, _ decimals: Int) -> String {
        var text = String(format: "%.\(decimals)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }
}

/// Maps values onto pixels, linearly or on a log10 scale, and picks readable ticks.
public struct ChartScale: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case linear, log }

    public var kind: Kind
    public var lower: Double
    public var upper: Double
    public var start: Double
    public var end: Double

    public init(kind: Kind = .linear, domain: (Double, Double), range: (Double, Double)) {
        self.kind = kind
        var lower = domain.0, upper = domain.1
        if kind == .log {
            lower = max(lower, 1e-12)
            upper = max(upper, lower * 10)
        }
        if upper <= lower { upper = lower + (lower == 0 ? 1 : abs(lower)) }
        self.lower = lower
        self.upper = upper
        self.start = range.0
        self.end = range.1
    }

    public func position(_ value: Double) -> Double {
        let fraction: Double
        switch kind {
        case .linear: fraction = (value - lower) / (upper - lower)
        case .log: fraction = (log10(max(value, lower)) - log10(lower)) / (log10(upper) - log10(lower))
        }
        return start + (end - start) * min(max(fraction, 0), 1)
    }

    /// "Nice" ticks (1, 2, 5 × 10ⁿ) for a linear scale; powers of ten for a log scale.
    public func ticks(target: Int = 5) -> [Double] {
        switch kind {
        case .log:
            let first = Int(floor(log10(lower))), last = Int(ceil(log10(upper)))
            return (first...last).map { pow(10, Double($0)) }.filter { $0 >= lower * 0.999 && $0 <= upper * 1.001 }
        case .linear:
            let step = Self.niceStep((upper - lower) / Double(max(target, 1)))
            var ticks: [Double] = []
            var tick = ceil(lower / step) * step
            while tick <= upper + step * 1e-9 {
                ticks.append(abs(tick) < step * 1e-9 ? 0 : tick)
                tick += step
            }
            return ticks
        }
    }

    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let exponent = floor(log10(raw))
        let fraction = raw / pow(10, exponent)
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        return nice * pow(10, exponent)
    }

    /// An upper bound rounded up to the next nice tick, so a chart's top gridline labels its range.
    public static func niceUpper(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let step = niceStep(value / 5)
        return ceil(value / step) * step
    }
}
