/// A latency distribution's summary, in seconds. The statistics are `MetricCatalog.statistics`.
public struct LatencyPercentiles: Sendable, Equatable, Codable {
    public var count: Int
    public var min: Double
    public var mean: Double
    public var p50: Double
    public var p75: Double
    public var p90: Double
    public var p95: Double
    public var p99: Double
    public var p99_9: Double
    public var p99_99: Double
    public var max: Double

    public init(
        count: Int, min: Double, mean: Double, p50: Double, p75: Double, p90: Double, p95: Double, p99: Double,
        p99_9: Double, p99_99: Double, max: Double
    ) {
        self.count = count
        self.min = min
        self.mean = mean
        self.p50 = p50
        self.p75 = p75
        self.p90 = p90
        self.p95 = p95
        self.p99 = p99
        self.p99_9 = p99_9
        self.p99_99 = p99_99
        self.max = max
    }

    /// The value of a `MetricCatalog` statistic name (`p99.9`, `mean`, …), or nil for an unknown name.
    public func value(of statistic: String) -> Double? {
        switch statistic {
        case "min": min
        case "mean": mean
        case "p50": p50
        case "p75": p75
        case "p90": p90
        case "p95": p95
        case "p99": p99
        case "p99.9": p99_9
        case "p99.99": p99_99
        case "max": max
        default: nil
        }
    }
}
