import Foundation
import GauntletCore
import SharedPrimitives

/// Decompresses a gzip (or zlib) stream from another chunk source, chunk by chunk.
///
/// ALB access logs arrive as `.gz` files; S3 concatenations hold several gzip members back to back,
/// so decoding restarts after each member's end. A stream that stops before a member's end is an
/// error ("truncated"), never a silent short read.
public struct GzipChunkSource<Upstream: ByteChunkSource>: ByteChunkSource {
    private var upstream: Upstream
    private let inflater: Zlib.Inflater
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var compressedRead = 0
    private var finishedMember = false
    private var inMember = false
    private let outputSize: Int

    public var name: String { upstream.name }

    public init(_ upstream: Upstream, outputSize: Int = 256 * 1024) throws(ReplayIssue) {
        self.upstream = upstream
        self.outputSize = outputSize
        do {
            inflater = try Zlib.Inflater(format: .gzipOrZlib)
        } catch {
            throw ReplayIssue(file: upstream.name, line: 0, message: "cannot start gzip decoding: \(error)")
        }
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
                inflater.reset()
                finishedMember = false
            }
            inMember = true
            var output = [UInt8](repeating: 0, count: outputSize)
            let step: Zlib.Inflater.Step
            do {
                step = try inflater.inflate(pending[pendingOffset...], into: &output)
            } catch {
                let position = compressedRead - (pending.count - pendingOffset)
                throw ReplayIssue(file: name, line: 0, message: "not valid gzip data near compressed byte \(position): \(error)")
            }
            pendingOffset += step.consumed
            if step.finished {
                finishedMember = true
                inMember = false
            }
            let produced = step.produced
            if produced > 0 {
                output.removeSubrange(produced...)
                return output
            }
        }
    }
}
