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

    /// The recorded values as (value, count) pairs: a compact, exact form for interval logs.
    public var sparseCounts: SparseHistogram {
        var values: [UInt64] = []
        var counts: [UInt64] = []
        for item in recordedValues() {
            values.append(lowestEquivalentForValue(item.value))
            counts.append(UInt64(item.count))
        }
        return SparseHistogram(values: values, counts: counts)
    }
}

/// A histogram's recorded values in a few hundred bytes, so that per-second interval histograms can be
/// kept for a whole run (for `.hlog` interval logs) without holding a full counts array per second.
public struct SparseHistogram: Sendable, Equatable, Codable {
    /// Microseconds: each value is the lowest value equivalent to its bucket.
    public var values: [UInt64]
    public var counts: [UInt64]

    public init(values: [UInt64], counts: [UInt64]) {
        self.values = values
        self.counts = counts
    }

    public var totalCount: UInt64 { counts.reduce(0, +) }

    /// Rebuilds a full histogram with Gauntlet's range and precision.
    public func histogram() -> LatencyHistogram {
        var histogram = LatencyHistogram.latency()
        for (value, count) in zip(values, counts) {
            _ = histogram.record(Swift.min(value, LatencyHistogram.highestMicroseconds), count: count)
        }
        return histogram
    }
}
