import Testing
@testable import GauntletCore

@Suite struct StatisticsTests {
    @Test func percentilesOfAKnownDistribution() throws {
        var histogram = LatencyHistogram.latency()
        for ms in 1...1000 { histogram.record(seconds: Double(ms) / 1000) }
        let p = try #require(histogram.latencyPercentiles)
        #expect(p.count == 1000)
        #expect(abs(p.p50 - 0.500) < 0.001)
        #expect(abs(p.p99 - 0.990) < 0.001)
        #expect(abs(p.max - 1.000) < 0.001)
        #expect(p.value(of: "p99.9") == p.p99_9)
        #expect(p.value(of: "p42") == nil)
    }

    @Test func sparseFormIsExact() {
        var histogram = LatencyHistogram.latency()
        for us in [5, 5, 70, 1234, 999_999] { histogram.record(microseconds: UInt64(us)) }
        let sparse = histogram.sparseCounts
        #expect(sparse.totalCount == 5)
        let rebuilt = sparse.histogram()
        // Same buckets: every percentile agrees within the histogram's 0.1% resolution.
        for percentile in [10.0, 50, 75, 90, 99.99] {
            let a = Double(rebuilt.valueAtPercentile(percentile)), b = Double(histogram.valueAtPercentile(percentile))
            #expect(abs(a - b) <= b * 0.001, "p\(percentile): \(a) vs \(b)")
        }
        #expect(rebuilt.totalCount == histogram.totalCount)
    }

    @Test func outOfRangeValuesAreClampedNotLost() {
        var histogram = LatencyHistogram.latency()
        histogram.record(seconds: 10_000)
        histogram.record(seconds: -1)
        #expect(histogram.totalCount == 2)
        #expect(histogram.latencyPercentiles?.max ?? 0 >= 599)
    }
}
