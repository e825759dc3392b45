import Histogram

/// Latencies in microseconds, 1 µs to 10 minutes, three significant digits (0.1% resolution).
///
/// This file imports only `Histogram` (hdrhistogram-swift) because swift-prometheus exports a type of
/// the same name; everything else in Gauntlet speaks of `LatencyHistogram`.
public typealias LatencyHistogram = Histogram<UInt64>

extension Histogram where Count == UInt64 {
    /// The highest latency a histogram tracks: longer values are clamped to it (and still counted).
    public static var highestMicroseconds: UInt64 { 600_000_000 }

    /// An empty histogram with Gauntlet's range and precision, so that any two of them can be added.
    public static func latency() -> Histogram<UInt64> {
        Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: highestMicroseconds, numberOfSignificantValueDigits: .three)
    }

    /// Records a duration in seconds, clamped into the tracked range.
    @inlinable
    public mutating func record(seconds: Double) {
        let micros = seconds > 0 ? UInt64(Swift.min(seconds * 1e6, Double(Self.highestMicroseconds))) : 0
        _ = record(Swift.max(micros, 1))
    }

    /// Records a duration in microseconds, clamped into the tracked range.
    @inlinable
    public mutating func record(microseconds: UInt64) {
        _ = record(Swift.min(Swift.max(microseconds, 1), Self.highestMicroseconds))
    }

    /// The distribution's summary in seconds, or nil when nothing was recorded.
    public var latencyPercentiles: LatencyPercentiles? {
        guard totalCount > 0 else { return nil }
        func s(_ micros: UInt64) -> Double { Double(micros) / 1e6 }
        return LatencyPercentiles(
            count: Int(totalCount), min: s(min), mean: mean / 1e6,
            p50: s(valueAtPercentile(50)), p75: s(valueAtPercentile(75)), p90: s(valueAtPercentile(90)),
            p95: s(valueAtPercentile(95)), p99: s(valueAtPercentile(99)), p99_9: s(valueAtPercentile(99.9)),
            p99_99: s(valueAtPercentile(99.99)), max: s(max)
        )
    }

    /// Adds a sparse histogram's counts: exact, since its values are bucket floors of the same layout, and
    /// its recorded extremes (which percentiles near 0 and 100 are clamped to) are put back as they were.
    public mutating func add(_ sparse: SparseHistogram) {
        for (value, count) in zip(sparse.values, sparse.counts) {
            _ = record(Swift.min(value, Self.highestMicroseconds), count: count)
        }
        // A count of 0 moves the histogram's recorded minimum and maximum without adding a value.
        if let min = sparse.min { _ = record(min, count: 0) }
        if let max = sparse.max { _ = record(max, count: 0) }
    }

    /// The recorded values as (value, count) pairs: a compact, exact form for interval logs.
    public var sparseCounts: SparseHistogram {
        var values: [UInt64] = []
        var counts: [UInt64] = []
        for item in recordedValues() {
            values.append(lowestEquivalentForValue(item.value))
            counts.append(UInt64(item.count))
        }
        guard totalCount > 0 else { return SparseHistogram(values: values, counts: counts) }
        return SparseHistogram(values: values, counts: counts, min: self.min, max: maxRecorded)
    }
}

/// A histogram's recorded values in a few hundred bytes, so that per-second interval histograms can be
/// kept for a whole run (for `.hlog` interval logs) without holding a full counts array per second.
public struct SparseHistogram: Sendable, Equatable, Codable {
    /// Microseconds: each value is the lowest value equivalent to its bucket.
    public var values: [UInt64]
    public var counts: [UInt64]
    /// The smallest and largest values recorded, exactly (not their buckets' floors): a histogram rebuilt
    /// from this one then reports the same extreme percentiles as the original. Nil in older files.
    public var min: UInt64?
    public var max: UInt64?

    public init(values: [UInt64], counts: [UInt64], min: UInt64? = nil, max: UInt64? = nil) {
        self.values = values
        self.counts = counts
        self.min = min
        self.max = max
    }

    public var totalCount: UInt64 { counts.reduce(0, +) }

    /// The sum of two sparse histograms (both sorted by value, as `sparseCounts` makes them), still sparse:
    /// adding per-second histograms of many shards without a full counts array per second.
    public func adding(_ other: SparseHistogram) -> SparseHistogram {
        var values: [UInt64] = []
        var counts: [UInt64] = []
        values.reserveCapacity(Swift.max(self.values.count, other.values.count))
        counts.reserveCapacity(values.capacity)
        var i = 0
        var j = 0
        while i < self.values.count || j < other.values.count {
            if j == other.values.count || (i < self.values.count && self.values[i] < other.values[j]) {
                values.append(self.values[i])
                counts.append(self.counts[i])
                i += 1
            } else if i == self.values.count || other.values[j] < self.values[i] {
                values.append(other.values[j])
                counts.append(other.counts[j])
                j += 1
            } else {
                values.append(self.values[i])
                counts.append(self.counts[i] + other.counts[j])
                i += 1
                j += 1
            }
        }
        func extreme(_ a: UInt64?, _ b: UInt64?, _ pick: (UInt64, UInt64) -> UInt64) -> UInt64? {
            guard let a else { return b }
            guard let b else { return a }
            return pick(a, b)
        }
        return SparseHistogram(values: values, counts: counts, min: extreme(min, other.min, Swift.min), max: extreme(max, other.max, Swift.max))
    }

    /// Rebuilds a full histogram with Gauntlet's range and precision.
    public func histogram() -> LatencyHistogram {
        var histogram = LatencyHistogram.latency()
        histogram.add(self)
        return histogram
    }
}
