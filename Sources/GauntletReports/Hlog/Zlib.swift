import CZlib

/// One-shot zlib (RFC 1950) compression, as HdrHistogram's compressed encoding uses it.
enum Zlib {
    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    static func deflate(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        // windowBits 15: a zlib header and trailer, as java.util.zip.Deflater writes.
        guard gauntlet_deflateInit2(&stream, level, 15) == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 16)
        var input = input
        var status: Int32 = Z_OK
        var produced = 0
        input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                stream.next_in = source.baseAddress
                stream.avail_in = UInt32(source.count)
                stream.next_out = destination.baseAddress
                stream.avail_out = UInt32(destination.count)
                status = CZlib.deflate(&stream, Z_FINISH)
                produced = destination.count - Int(stream.avail_out)
            }
        }
        guard status == Z_STREAM_END else { return [] }
        return Array(output[..<produced])
    }

    static func inflate(_ input: [UInt8], limit: Int = 64 << 20) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        guard gauntlet_inflateInit2(&stream, 15) == Z_OK else { throw Failure(message: "cannot start zlib") }
        defer { inflateEnd(&stream) }
        var result: [UInt8] = []
        var input = input
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var status: Int32 = Z_OK
        var failure: Failure?
        input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = UInt32(source.count)
            repeat {
                var produced = 0
                chunk.withUnsafeMutableBufferPointer { destination in
                    stream.next_out = destination.baseAddress
                    stream.avail_out = UInt32(destination.count)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    produced = destination.count - Int(stream.avail_out)
                }
                result.append(contentsOf: chunk[..<produced])
                if result.count > limit { failure = Failure(message: "decompressed data exceeds \(limit) bytes"); return }
                if status != Z_OK && status != Z_STREAM_END {
                    failure = Failure(message: status == Z_BUF_ERROR ? "compressed data is truncated" : "compressed data is corrupt (zlib status \(status))")
                    return
                }
            } while status != Z_STREAM_END
        }
        if let failure { throw failure }
        return result
    }
}
