import CZlib

/// zlib, the one Swift door to `CZlib` for both sides: the harness gzips upload bodies, compresses
/// HdrHistogram logs and reads `.gz` access logs; the stack undoes `Content-Encoding`. Each caller maps
/// `Zlib.Failure` to its own located error.
public enum Zlib {
    /// The wrapper around the deflate data, which sets zlib's window bits.
    public enum Format: Sendable {
        /// RFC 1950 (a zlib header and an Adler-32 trailer), as HdrHistogram and java.util.zip write.
        case zlib
        /// RFC 1952 (a gzip header and a CRC-32 trailer).
        case gzip
        /// RFC 1951 deflate with no wrapper, as some clients send `Content-Encoding: deflate`.
        case raw
        /// Decompression only: gzip or zlib, told apart by the header. Compression writes gzip.
        case gzipOrZlib

        var windowBits: Int32 {
            switch self {
            case .zlib: MAX_WBITS
            case .gzip: MAX_WBITS + 16
            case .raw: -MAX_WBITS
            case .gzipOrZlib: MAX_WBITS + 32
            }
        }
    }

    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// zlib would not start (its status): out of memory, or a build without gzip support.
        case cannotStart(status: Int32)
        /// The decompressed data would pass the caller's limit (a small gzip body can expand without bound).
        case tooLarge(limit: Int)
        /// The data ends before the compressed stream does.
        case truncated
        /// Bytes follow the end of the compressed stream, and the format has no further members.
        case trailingData
        /// Not valid data for the format: zlib's own message.
        case corrupt(String)

        public var description: String {
            switch self {
            case .cannotStart(let status): "zlib could not start (status \(status))"
            case .tooLarge(let limit): "the decompressed data would pass \(limit) bytes"
            case .truncated: "the compressed data is truncated"
            case .trailingData: "bytes follow the end of the compressed data"
            case .corrupt(let message): "the compressed data is corrupt: \(message)"
            }
        }
    }

    /// Compresses `input` whole. `level` is zlib's, 0 (store) to 9 (smallest).
    public static func compress(_ input: [UInt8], format: Format, level: Int32 = Z_DEFAULT_COMPRESSION) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        let windowBits = format == .gzipOrZlib ? Format.gzip.windowBits : format.windowBits
        let started = gauntlet_deflateInit2(&stream, level, windowBits)
        guard started == Z_OK else { throw .cannotStart(status: started) }
        defer { deflateEnd(&stream) }
        // deflateBound is enough for one Z_FINISH call; the slack covers the gzip header's extra bytes.
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        let (status, _, produced) = stream.run({ deflate(&$0, Z_FINISH) }, input: input[...], output: &output)
        guard status == Z_STREAM_END else { throw .corrupt(stream.msg.map { String(cString: $0) } ?? "deflate status \(status)") }
        output.removeSubrange(produced...)
        return output
    }

    /// Decompresses `input` whole, refusing to produce more than `limit` bytes. With `members`, a stream that
    /// ends and is followed by more data starts again (concatenated gzip members are one gzip body,
    /// RFC 1952 §2.2); without it, such data is `.trailingData`.
    public static func decompress(_ input: [UInt8], format: Format, limit: Int = .max, members: Bool = false) throws(Failure) -> [UInt8] {
        let inflater = try Inflater(format: format)
        var output: [UInt8] = []
        // Text compresses about fourfold; reserving that much saves most regrowth of a large body.
        output.reserveCapacity(min(limit, max(input.count * 4, 4096)))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var offset = 0
        while true {
            let step = try inflater.inflate(input[offset...], into: &chunk)
            offset += step.consumed
            guard output.count + step.produced <= limit else { throw .tooLarge(limit: limit) }
            output.append(contentsOf: chunk[..<step.produced])
            if step.finished {
                if offset == input.count { return output }
                guard members else { throw .trailingData }
                inflater.reset()
            } else if step.consumed == 0 && step.produced == 0 {
                throw .truncated
            }
        }
    }
}

extension z_stream {
    /// One `deflate` or `inflate` call over borrowed buffers, which zlib is not left pointing at: its
    /// status, and how many bytes it consumed and produced.
    mutating func run(
        _ call: (inout z_stream) -> Int32, input: ArraySlice<UInt8>, output: inout [UInt8]
    ) -> (status: Int32, consumed: Int, produced: Int) {
        var result = (status: Z_OK, consumed: 0, produced: 0)
        input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                avail_in = uInt(source.count)
                next_out = destination.baseAddress
                avail_out = uInt(destination.count)
                result.status = call(&self)
                result.consumed = source.count - Int(avail_in)
                result.produced = destination.count - Int(avail_out)
                next_in = nil
                avail_in = 0
                next_out = nil
                avail_out = 0
            }
        }
        return result
    }
}
