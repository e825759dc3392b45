import CZlib
import Foundation

/// gzip-compresses `bytes` (zlib with a gzip wrapper), for request bodies in tests.
func gzipCompress(_ bytes: [UInt8]) -> [UInt8] { zlibCompress(bytes, windowBits: 16 + 15) }

/// Compresses with zlib: window bits 16+15 = gzip, 15 = zlib-wrapped deflate, -15 = raw deflate.
func zlibCompress(_ bytes: [UInt8], windowBits: Int32) -> [UInt8] {
    var stream = z_stream()
    precondition(gauntlet_deflateInit2(&stream, 6, windowBits) == Z_OK)
    defer { deflateEnd(&stream) }
    var input = bytes
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
    let produced = input.withUnsafeMutableBufferPointer { inBuffer in
        output.withUnsafeMutableBufferPointer { outBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = uInt(inBuffer.count)
            stream.next_out = outBuffer.baseAddress
            stream.avail_out = uInt(outBuffer.count)
            precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
            return outBuffer.count - Int(stream.avail_out)
        }
    }
    return Array(output[0..<produced])
}
