import Foundation
import Histogram
import SharedPrimitives

/// HdrHistogram's V2 binary encoding, compressed and base64'd as the interval-log format carries it,
/// so that HdrHistogram's tools in Java, Python, Go … read Gauntlet's `.hlog` files.
///
/// Layout (big-endian): the V2 header — cookie, payload length, normalizing index offset, significant
/// digits, lowest discernible value, highest trackable value, integer-to-double ratio — then the counts
/// array up to the largest recorded value as ZigZag LEB128 varints, a run of N zeros written as −N.
/// The compressed form is a second cookie, the compressed length, and the zlib-deflated V2 bytes.
public enum HistogramEncoding {
    /// Java's cookie bases with the 8-byte word size bits (0x10) set, exactly as Java writes them.
    static let v2Cookie: UInt32 = 0x1C84_9303 | 0x10
    static let v2CompressedCookie: UInt32 = 0x1C84_9304 | 0x10
    static let cookieBaseMask: UInt32 = ~0xF0

    public struct DecodingError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The standard counts-array geometry for a histogram's parameters (HdrHistogram's own formulas).
    struct Geometry {
        let unitMagnitude: Int
        let subBucketHalfCountMagnitude: Int
        let subBucketHalfCount: Int
        let subBucketMask: UInt64
        let leadingZeroCountBase: Int

        init(lowestDiscernibleValue: UInt64, significantDigits: Int) {
            unitMagnitude = Int(floor(log2(Double(max(1, lowestDiscernibleValue)))))
            let largestSingleUnitResolution = 2 * pow(10.0, Double(significantDigits))
            let subBucketCountMagnitude = Int(ceil(log2(largestSingleUnitResolution)))
            subBucketHalfCountMagnitude = max(subBucketCountMagnitude, 1) - 1
            let subBucketCount = 1 << (subBucketHalfCountMagnitude + 1)
            subBucketHalfCount = subBucketCount / 2
            subBucketMask = UInt64(subBucketCount - 1) << UInt64(unitMagnitude)
            leadingZeroCountBase = 64 - unitMagnitude - subBucketHalfCountMagnitude - 1
        }

        func index(of value: UInt64) -> Int {
            let bucketIndex = leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
            let subBucketIndex = Int(value >> UInt64(bucketIndex + unitMagnitude))
            return ((bucketIndex + 1) << subBucketHalfCountMagnitude) + (subBucketIndex - subBucketHalfCount)
        }

        func value(at index: Int) -> UInt64 {
            var bucketIndex = (index >> subBucketHalfCountMagnitude) - 1
            var subBucketIndex = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
            if bucketIndex < 0 {
                subBucketIndex -= subBucketHalfCount
                bucketIndex = 0
            }
            return UInt64(subBucketIndex) << UInt64(bucketIndex + unitMagnitude)
        }
    }

    /// The uncompressed V2 encoding.
    public static func encode<Count>(_ histogram: Histogram<Count>) -> [UInt8] {
        let geometry = Geometry(
            lowestDiscernibleValue: histogram.lowestDiscernibleValue,
            significantDigits: Int(histogram.numberOfSignificantValueDigits.rawValue)
        )
        var counts: [Int: UInt64] = [:]
        var maxIndex = -1
        for step in histogram.recordedValues() where step.count > 0 {
            let index = geometry.index(of: step.value)
            counts[index, default: 0] += UInt64(step.count)
            maxIndex = max(maxIndex, index)
        }
        var payload: [UInt8] = []
        var index = 0
        while index <= maxIndex {
            let count = counts[index] ?? 0
            index += 1
            if count == 0 {
                var zeros: Int64 = 1
                while index <= maxIndex, counts[index] == nil {
                    zeros += 1
                    index += 1
                }
                putZigZag(zeros > 1 ? -zeros : 0, into: &payload)
            } else {
                putZigZag(Int64(clamping: count), into: &payload)
            }
        }
        var bytes: [UInt8] = []
        put32(v2Cookie, into: &bytes)
        put32(UInt32(payload.count), into: &bytes)
        put32(0, into: &bytes)  // normalizing index offset
        put32(UInt32(histogram.numberOfSignificantValueDigits.rawValue), into: &bytes)
        put64(histogram.lowestDiscernibleValue, into: &bytes)
        put64(histogram.highestTrackableValue, into: &bytes)
        put64((1.0).bitPattern, into: &bytes)  // integer-to-double conversion ratio
        return bytes + payload
    }

    /// The compressed V2 encoding.
    public static func encodeCompressed<Count>(_ histogram: Histogram<Count>) -> [UInt8] {
        // Once zlib has started, compressing into a buffer of deflateBound's size cannot fail; a zlib that
        // will not start at all (out of memory) leaves the payload empty rather than stopping the run.
        let compressed = (try? Zlib.compress(encode(histogram), format: .zlib, level: 6)) ?? []
        var bytes: [UInt8] = []
        put32(v2CompressedCookie, into: &bytes)
        put32(UInt32(compressed.count), into: &bytes)
        return bytes + compressed
    }

    /// Base64 of the compressed encoding: the last column of an interval-log line.
    public static func base64<Count>(_ histogram: Histogram<Count>) -> String {
        Data(encodeCompressed(histogram)).base64EncodedString()
    }

    /// Reads a base64 compressed V2 histogram back (what another HdrHistogram implementation wrote too).
    public static func decode(base64 text: String) throws(DecodingError) -> Histogram<UInt64> {
        guard let data = Data(base64Encoded: text) else { throw DecodingError(message: "not base64") }
        return try decodeCompressed([UInt8](data))
    }

    public static func decodeCompressed(_ bytes: [UInt8]) throws(DecodingError) -> Histogram<UInt64> {
        guard bytes.count >= 8, get32(bytes, 0) & cookieBaseMask == 0x1C84_9304 else {
            throw DecodingError(message: "not a compressed V2 HdrHistogram (bad cookie)")
        }
        let length = Int(get32(bytes, 4))
        guard bytes.count >= 8 + length else { throw DecodingError(message: "compressed histogram is truncated") }
        let plain: [UInt8]
        do {
            plain = try Zlib.decompress(Array(bytes[8..<(8 + length)]), format: .zlib, limit: 64 << 20)
        } catch {
            throw DecodingError(message: "compressed histogram: \(error)")
        }
        return try decode(plain)
    }

    public static func decode(_ bytes: [UInt8]) throws(DecodingError) -> Histogram<UInt64> {
        guard bytes.count >= 40, get32(bytes, 0) & cookieBaseMask == 0x1C84_9303 else {
            throw DecodingError(message: "not a V2 HdrHistogram encoding (bad cookie)")
        }
        let payloadLength = Int(get32(bytes, 4))
        let digits = Int(get32(bytes, 12))
        let lowest = get64(bytes, 16)
        let highest = get64(bytes, 24)
        guard let significant = SignificantDigits(rawValue: Int8(clamping: digits)), bytes.count >= 40 + payloadLength,
              lowest >= 1, highest >= 2 * lowest
        else { throw DecodingError(message: "V2 header holds impossible parameters") }
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: lowest, highestTrackableValue: highest, numberOfSignificantValueDigits: significant)
        histogram.autoResize = true
        let geometry = Geometry(lowestDiscernibleValue: lowest, significantDigits: digits)
        var offset = 40
        let end = 40 + payloadLength
        var index = 0
        while offset < end {
            let value = try getZigZag(bytes, &offset, end)
            if value < 0 {
                index += Int(-value)
            } else {
                if value > 0 { _ = histogram.record(geometry.value(at: index), count: UInt64(value)) }
                index += 1
            }
        }
        return histogram
    }

    static func putZigZag(_ value: Int64, into bytes: inout [UInt8]) {
        var encoded = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        // LEB128, with Java's twist: a ninth byte carries all 8 remaining bits.
        for _ in 0..<8 {
            if encoded >> 7 == 0 {
                bytes.append(UInt8(encoded))
                return
            }
            bytes.append(UInt8(encoded & 0x7F) | 0x80)
            encoded >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: encoded))
    }

    static func getZigZag(_ bytes: [UInt8], _ offset: inout Int, _ end: Int) throws(DecodingError) -> Int64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        for position in 0..<9 {
            guard offset < end else { throw DecodingError(message: "V2 payload ends inside a number") }
            let byte = bytes[offset]
            offset += 1
            if position == 8 {
                result |= UInt64(byte) << 56
                break
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        return Int64(bitPattern: result >> 1) ^ -Int64(bitPattern: result & 1)
    }

    static func put32(_ value: UInt32, into bytes: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    static func put64(_ value: UInt64, into bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    static func get32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 << 8 | UInt32(bytes[at + $1]) }
    }

    static func get64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 << 8 | UInt64(bytes[at + $1]) }
    }
}
