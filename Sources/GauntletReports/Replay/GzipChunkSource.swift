import Foundation
import CZlib
import GauntletCore

/// Decompresses a gzip (or zlib) stream from another chunk source, chunk by chunk.
///
/// ALB access logs arrive as `.gz` files; S3 concatenations hold several gzip members back to back,
/// so decoding restarts after each member's end. A stream that stops before a member's end is an
/// error ("truncated"), never a silent short read.
public struct GzipChunkSource<Upstream: ByteChunkSource>: ByteChunkSource {
    private var upstream: Upstream
    private var stream: Box
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var compressedRead = 0
    private var finishedMember = false
    private var inMember = false
    private let outputSize: Int

    public var name: String { upstream.name }

    /// Owns the z_stream so it is freed exactly once.
    private final class Box {
        var stream = z_stream()
        var initialized = false

        deinit {
            if initialized { inflateEnd(&stream) }
        }
    }

    public init(_ upstream: Upstream, outputSize: Int = 256 * 1024) throws(ReplayIssue) {
        self.upstream = upstream
        self.outputSize = outputSize
        self.stream = Box()
        // 15 + 32: a 32 KiB window, and detect gzip or zlib headers automatically.
        let status = gauntlet_inflateInit2(&stream.stream, 15 + 32)
        guard status == Z_OK else {
            throw ReplayIssue(file: upstream.name, line: 0, message: "cannot start gzip decoding (zlib status \(status))")
        }
        stream.initialized = true
    }

    public mutating func nextChunk() throws(ReplayIssue) -> [UInt8]? {
        while true {
            if pendingOffset >= pending.count {
                guard let chunk = try upstream.nextChunk() else {
                    if inMember {
                        throw ReplayIssue(
                            file: name, line: 0,
                            message: "truncated gzip stream: the data ends after \(compressedRead) compressed bytes, before the end of the compressed member"
                        )
                    }
                    return nil
                }
                pending = chunk
                pendingOffset = 0
                compressedRead += chunk.count
            }
            if finishedMember {
                // Another member follows (concatenated gzip files decode as one stream).
                inflateReset(&stream.stream)
                finishedMember = false
            }
            inMember = true
            var output = [UInt8](repeating: 0, count: outputSize)
            let available = pending.count - pendingOffset
            var status: Int32 = Z_OK
            var produced = 0
            var consumed = 0
            pending.withUnsafeMutableBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    stream.stream.next_in = input.baseAddress! + pendingOffset
                    stream.stream.avail_in = UInt32(available)
                    stream.stream.next_out = out.baseAddress!
                    stream.stream.avail_out = UInt32(out.count)
                    status = inflate(&stream.stream, Z_NO_FLUSH)
                    produced = out.count - Int(stream.stream.avail_out)
                    consumed = available - Int(stream.stream.avail_in)
                }
            }
            pendingOffset += consumed
            switch status {
            case Z_STREAM_END:
                finishedMember = true
                inMember = false
            case Z_OK, Z_BUF_ERROR:
                break
            default:
                let detail = stream.stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                let position = compressedRead - (pending.count - pendingOffset)
                throw ReplayIssue(file: name, line: 0, message: "not valid gzip data near compressed byte \(position): \(detail)")
            }
            if produced > 0 {
                output.removeSubrange(produced...)
                return output
            }
        }
    }
}
