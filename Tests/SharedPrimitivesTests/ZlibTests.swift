import SharedPrimitives
import Testing

@Suite struct ZlibTests {
    /// Text with enough repetition to compress, and enough variety to need several output chunks.
    static let text: [UInt8] = Array((0..<20_000).map { "line \($0 % 977) of the sample\n" }.joined().utf8)

    @Test("every wrapper round-trips, and each has its own header", arguments: [Zlib.Format.zlib, .gzip, .raw])
    func roundTrip(format: Zlib.Format) throws {
        let compressed = try Zlib.compress(Self.text, format: format)
        #expect(compressed.count < Self.text.count / 4)
        #expect(try Zlib.decompress(compressed, format: format) == Self.text)
        switch format {
        case .gzip: #expect(Array(compressed.prefix(2)) == [0x1F, 0x8B])
        case .zlib: #expect(compressed[0] == 0x78)
        default: break
        }
    }

    @Test func gzipOrZlibReadsBothAndCompressesAsGzip() throws {
        #expect(try Zlib.decompress(Zlib.compress(Self.text, format: .gzip), format: .gzipOrZlib) == Self.text)
        #expect(try Zlib.decompress(Zlib.compress(Self.text, format: .zlib), format: .gzipOrZlib) == Self.text)
        #expect(Array(try Zlib.compress([1, 2, 3], format: .gzipOrZlib).prefix(2)) == [0x1F, 0x8B])
    }

    @Test func emptyInputCompressesToAValidStream() throws {
        let compressed = try Zlib.compress([], format: .gzip)
        #expect(try Zlib.decompress(compressed, format: .gzip).isEmpty)
    }

    @Test func theLimitStopsABombBeforeItExpands() throws {
        let bomb = try Zlib.compress([UInt8](repeating: 0, count: 10 << 20), format: .gzip)
        #expect(bomb.count < 20_000)
        #expect(throws: Zlib.Failure.tooLarge(limit: 1 << 20)) { try Zlib.decompress(bomb, format: .gzip, limit: 1 << 20) }
        #expect(try Zlib.decompress(bomb, format: .gzip, limit: 10 << 20).count == 10 << 20)
    }

    @Test func truncatedCorruptAndTrailingDataAreTold() throws {
        let compressed = try Zlib.compress(Self.text, format: .gzip)
        #expect(throws: Zlib.Failure.truncated) { try Zlib.decompress(Array(compressed.prefix(compressed.count / 2)), format: .gzip) }
        #expect(throws: Zlib.Failure.truncated) { try Zlib.decompress([], format: .gzip) }
        var corrupt = compressed
        corrupt[0] ^= 0xFF
        let error = #expect(throws: Zlib.Failure.self) { try Zlib.decompress(corrupt, format: .gzip) }
        if case .corrupt(let message)? = error {
            #expect(!message.isEmpty, "zlib's own message")
        } else {
            Issue.record("expected .corrupt, got \(String(describing: error))")
        }
        #expect(throws: Zlib.Failure.trailingData) { try Zlib.decompress(compressed + [0x00], format: .gzip) }
    }

    @Test func concatenatedMembersAreOneBodyOnlyWhenAllowed() throws {
        let first = try Zlib.compress(Array("first\n".utf8), format: .gzip)
        let second = try Zlib.compress(Array("second\n".utf8), format: .gzip)
        #expect(try Zlib.decompress(first + second, format: .gzip, members: true) == Array("first\nsecond\n".utf8))
        #expect(throws: Zlib.Failure.trailingData) { try Zlib.decompress(first + second, format: .gzip) }
    }

    @Test("the streaming inflater takes input in pieces, however small")
    func inflaterInPieces() throws {
        let compressed = try Zlib.compress(Self.text, format: .gzip)
        let inflater = try Zlib.Inflater(format: .gzip)
        var output = [UInt8](repeating: 0, count: 1000)
        var result: [UInt8] = []
        var offset = 0
        var finished = false
        while !finished {
            // Feed at most 7 bytes at a time; retry what zlib left unconsumed.
            let piece = compressed[offset..<min(offset + 7, compressed.count)]
            let step = try inflater.inflate(piece, into: &output)
            offset += step.consumed
            result += output[..<step.produced]
            finished = step.finished
            if !finished && step.consumed == 0 && step.produced == 0 {
                Issue.record("no progress at byte \(offset) of \(compressed.count)")
                return
            }
        }
        #expect(result == Self.text)
        #expect(offset == compressed.count)
    }
}
