import Foundation
import Histogram
import Testing
@testable import GauntletReports

@Suite("HdrHistogram V2 encoding and .hlog interval logs")
struct HistogramLogTests {
    /// A deterministic latency-like histogram in microseconds: a body around 2 ms and a tail to 1.2 s.
    static func sample(seed: UInt64, count: Int = 5000) -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        var state = seed
        for index in 0..<count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let uniform = Double(state >> 11) / Double(1 << 53)
            let value = index % 100 == 0 ? 50_000 + UInt64(uniform * 1_150_000) : 800 + UInt64(uniform * uniform * 3000)
            _ = histogram.record(value)
        }
        return histogram
    }

    @Test func zigZagMatchesJavasEncoding() throws {
        var bytes: [UInt8] = []
        HistogramEncoding.putZigZag(0, into: &bytes)
        HistogramEncoding.putZigZag(-1, into: &bytes)
        HistogramEncoding.putZigZag(1, into: &bytes)
        HistogramEncoding.putZigZag(64, into: &bytes)
        HistogramEncoding.putZigZag(-3, into: &bytes)
        #expect(bytes == [0x00, 0x01, 0x02, 0x80, 0x01, 0x05])
        var offset = 0
        let decoded = (0..<5).map { _ in try? HistogramEncoding.getZigZag(bytes, &offset, bytes.count) }
        #expect(decoded == [0, -1, 1, 64, -3])
        var big: [UInt8] = []
        HistogramEncoding.putZigZag(Int64.max, into: &big)
        #expect(big.count == 9)
        offset = 0
        #expect(try HistogramEncoding.getZigZag(big, &offset, big.count) == Int64.max)
    }

    @Test func countsIndexGeometryIsHdrHistograms() {
        let geometry = HistogramEncoding.Geometry(lowestDiscernibleValue: 1, significantDigits: 3)
        #expect(geometry.subBucketHalfCount == 1024)
        #expect(geometry.index(of: 0) == 0)
        #expect(geometry.index(of: 2047) == 2047)
        #expect(geometry.index(of: 2048) == 2048)
        #expect(geometry.index(of: 4095) == 3071)
        for value: UInt64 in [0, 1, 1000, 2047, 2048, 4096, 123_456, 59_999_999] {
            let index = geometry.index(of: value)
            #expect(geometry.index(of: geometry.value(at: index)) == index)
        }
    }

    @Test func roundTripKeepsEveryCount() throws {
        let histogram = Self.sample(seed: 7)
        let encoded = HistogramEncoding.base64(histogram)
        #expect(encoded.hasPrefix("HISTFAAA"))
        let decoded = try HistogramEncoding.decode(base64: encoded)
        #expect(decoded.totalCount == histogram.totalCount)
        // The encoding keeps counts per bucket, not exact values: decoded figures are equivalent
        // (same bucket), and exactly equal below the top bucket.
        for percentile in [50.0, 90, 99, 99.9, 99.99, 100] {
            #expect(histogram.valuesAreEquivalent(decoded.valueAtPercentile(percentile), histogram.valueAtPercentile(percentile)))
        }
        #expect(decoded.valueAtPercentile(50) == histogram.valueAtPercentile(50))
        #expect(histogram.valuesAreEquivalent(decoded.max, histogram.max))
    }

    @Test func badEncodingsAreErrors() {
        #expect(throws: HistogramEncoding.DecodingError(message: "not base64")) { try HistogramEncoding.decode(base64: "%%%") }
        #expect(throws: HistogramEncoding.DecodingError.self) { try HistogramEncoding.decode(base64: "AAAAAAAAAAAA") }
        let truncated = String(HistogramEncoding.base64(Self.sample(seed: 1)).prefix(40))
        #expect(throws: HistogramEncoding.DecodingError.self) { try HistogramEncoding.decode(base64: truncated) }
    }

    @Test func intervalLogGoldenAndReadBack() throws {
        let start = 1_764_374_400.0
        var writer = HistogramLogWriter(startTime: start, comments: ["[Gauntlet test intervals, latency in microseconds]"])
        for second in 0..<3 {
            writer.append(Self.sample(seed: UInt64(second + 1), count: 2000), start: start + Double(second), end: start + Double(second + 1), tag: "ui.steady")
            writer.append(Self.sample(seed: UInt64(second + 11), count: 500), start: start + Double(second), end: start + Double(second + 1), tag: "upload,steady")
        }
        Golden.check(writer.text, "intervals.hlog")
        let reader = try HistogramLogReader(text: writer.text)
        #expect(reader.intervals.count == 6)
        #expect(reader.startTime == start)
        #expect(reader.intervals[1].tag == "upload_steady")
        #expect(reader.intervals[2].start == start + 1)
        let merged = try #require(reader.merged(tag: "ui.steady"))
        #expect(merged.totalCount == 6000)
        // What the verify script checks against HdrHistogram's Python decoder.
        var expected = "tag,count,p50,p90,p99,p99.9,max\n"
        for tag in ["ui.steady", "upload_steady"] {
            let histogram = try #require(reader.merged(tag: tag))
            let values = [50.0, 90, 99, 99.9].map { String(histogram.valueAtPercentile($0)) }
            expected += "\(tag),\(histogram.totalCount),\(values.joined(separator: ",")),\(histogram.max)\n"
        }
        Golden.check(expected, "intervals.expected.csv")
    }
}
