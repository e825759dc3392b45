import Foundation
import CZlib

/// Undoes `Content-Encoding` with zlib, stopping as soon as the output would pass `limit` (a small gzip body
/// can expand without bound, and API Gateway's 10 MB cap applies to the decoded payload too).
public enum BodyDecoder {
    public enum Encoding: Equatable, Sendable {
        case identity
        case gzip
        case deflate

        /// Parses a `Content-Encoding` header value; nil for anything else (`br`, `compress`, a list…).
        public init?(header: String?) {
            switch header?.trimmingCharacters(in: .whitespaces).lowercased() {
            case nil, "", "identity": self = .identity
            case "gzip", "x-gzip": self = .gzip
            case "deflate": self = .deflate
            default: return nil
            }
        }
    }

    public enum DecodeError: Error, Equatable, Sendable {
        /// The decoded body would pass the limit.
        case tooLarge(limit: Int)
        /// The body is not valid for its encoding: a zlib message or "truncated".
        case corrupt(String)
    }

    public static func decode(_ body: [UInt8], encoding: Encoding, limit: Int) throws(DecodeError) -> [UInt8] {
        switch encoding {
        case .identity:
            guard body.count <= limit else { throw .tooLarge(limit: limit) }
            return body
        case .gzip:
            return try inflate(body, windowBits: 16 + MAX_WBITS, limit: limit, allowMembers: true)
        case .deflate:
            // RFC 9110 "deflate" is zlib-wrapped, but many clients send raw deflate; accept both, as browsers do.
            do throws(DecodeError) {
                return try inflate(body, windowBits: MAX_WBITS, limit: limit, allowMembers: false)
            } catch .corrupt(let message) {
                do throws(DecodeError) {
                    return try inflate(body, windowBits: -MAX_WBITS, limit: limit, allowMembers: false)
                } catch .corrupt {
                    throw .corrupt(message)
                }
            }
        }
    }

    private static func inflate(_ input: [UInt8], windowBits: Int32, limit: Int, allowMembers: Bool) throws(DecodeError) -> [UInt8] {
        guard !input.isEmpty else { throw .corrupt("empty compressed body") }
        var stream = z_stream()
        guard gauntlet_inflateInit2(&stream, windowBits) == Z_OK else { throw .corrupt("zlib could not start") }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        output.reserveCapacity(min(limit + 1, max(input.count * 4, 4096)))
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        var result: Result<Void, DecodeError> = .success(())
        input.withUnsafeBufferPointer { inBuffer in
            stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress!)
            stream.avail_in = uInt(inBuffer.count)
            chunk.withUnsafeMutableBufferPointer { outBuffer in
                while true {
                    stream.next_out = outBuffer.baseAddress!
                    stream.avail_out = uInt(outBuffer.count)
                    let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    let produced = outBuffer.count - Int(stream.avail_out)
                    if output.count + produced > limit {
                        result = .failure(.tooLarge(limit: limit))
                        return
                    }
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: outBuffer[0..<produced]))
                    switch status {
                    case Z_STREAM_END:
                        if stream.avail_in == 0 { return }
                        // Concatenated gzip members are one valid gzip body (RFC 1952 §2.2).
                        guard allowMembers, inflateReset(&stream) == Z_OK else {
                            result = .failure(.corrupt("trailing bytes after the compressed stream"))
                            return
                        }
                    case Z_OK:
                        continue
                    case Z_BUF_ERROR:
                        if stream.avail_in == 0 {
                            result = .failure(.corrupt("truncated compressed stream"))
                            return
                        }
                        continue
                    default:
                        let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                        result = .failure(.corrupt(message))
                        return
                    }
                }
            }
        }
        try result.get()
        return output
    }
}
