import Foundation
import SharedPrimitives

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
            return try inflate(body, format: .gzip, limit: limit, members: true)
        case .deflate:
            // RFC 9110 "deflate" is zlib-wrapped, but many clients send raw deflate; accept both, as browsers do.
            do throws(DecodeError) {
                return try inflate(body, format: .zlib, limit: limit, members: false)
            } catch .corrupt(let message) {
                do throws(DecodeError) {
                    return try inflate(body, format: .raw, limit: limit, members: false)
                } catch .corrupt {
                    throw .corrupt(message)
                }
            }
        }
    }

    private static func inflate(_ input: [UInt8], format: Zlib.Format, limit: Int, members: Bool) throws(DecodeError) -> [UInt8] {
        guard !input.isEmpty else { throw .corrupt("empty compressed body") }
        do throws(Zlib.Failure) {
            return try Zlib.decompress(input, format: format, limit: limit, members: members)
        } catch {
            switch error {
            case .tooLarge(let limit): throw .tooLarge(limit: limit)
            case .truncated: throw .corrupt("truncated compressed stream")
            case .trailingData: throw .corrupt("trailing bytes after the compressed stream")
            case .cannotStart: throw .corrupt("zlib could not start")
            case .corrupt(let message): throw .corrupt(message)
            }
        }
    }
}
