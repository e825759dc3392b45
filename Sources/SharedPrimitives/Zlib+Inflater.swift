import CZlib

extension Zlib {
    /// A decompression stream fed chunk by chunk, for input that arrives in pieces (a `.gz` log read from
    /// disk). A class, so that its `z_stream` is ended exactly once.
    public final class Inflater {
        private var stream = z_stream()

        /// What one `inflate` call did.
        public struct Step: Equatable, Sendable {
            /// Input bytes used; the caller passes the rest again.
            public var consumed: Int
            /// Bytes written at the start of the output buffer.
            public var produced: Int
            /// The compressed stream (or member) ended; `reset()` starts the next one.
            public var finished: Bool
        }

        public init(format: Format) throws(Failure) {
            let status = gauntlet_inflateInit2(&stream, format.windowBits)
            guard status == Z_OK else { throw .cannotStart(status: status) }
        }

        deinit {
            inflateEnd(&stream)
        }

        /// Decompresses from `input` into `output` (which must not be empty) until either runs out or the
        /// stream ends. A step that consumes and produces nothing means zlib needs more input.
        public func inflate(_ input: ArraySlice<UInt8>, into output: inout [UInt8]) throws(Failure) -> Step {
            precondition(!output.isEmpty, "Zlib.Inflater needs room to write")
            let (status, consumed, produced) = stream.run({ CZlib.inflate(&$0, Z_NO_FLUSH) }, input: input, output: &output)
            var step = Step(consumed: consumed, produced: produced, finished: false)
            switch status {
            case Z_STREAM_END:
                step.finished = true
                return step
            case Z_OK, Z_BUF_ERROR:
                return step
            default:
                throw .corrupt(stream.msg.map { String(cString: $0) } ?? "zlib status \(status)")
            }
        }

        /// Starts the next member of a concatenated stream, keeping the format.
        public func reset() {
            inflateReset(&stream)
        }
    }
}
