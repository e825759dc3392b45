import Foundation
import SharedPrimitives

/// gzip-compresses `bytes`, for request bodies in tests.
func gzipCompress(_ bytes: [UInt8]) -> [UInt8] { zlibCompress(bytes, format: .gzip) }

/// Compresses with zlib in the given wrapper (gzip, zlib-wrapped deflate or raw deflate).
func zlibCompress(_ bytes: [UInt8], format: Zlib.Format) -> [UInt8] {
    do {
        return try Zlib.compress(bytes, format: format, level: 6)
    } catch {
        preconditionFailure("zlib: \(error)")
    }
}
