import Foundation

/// Finds the first syntax error in a JSON text and its 1-based line and column — the decoder's own
/// message does not reliably carry a position on every platform.
enum JSONSyntaxCheck {
    static func firstError(in data: Data) -> (line: Int, column: Int, reason: String) {
        let bytes = [UInt8](data)
        var index = 0
        struct Failure: Error { var index: Int; var reason: String }

        func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0D, 0x0A: index += 1
                default: return
                }
            }
        }
        func describe(_ at: Int) -> String {
            at < bytes.count ? "\"\(String(decoding: [bytes[at]], as: UTF8.self))\"" : "the end of the file"
        }
        func value(depth: Int) throws(Failure) {
            skipSpace()
            guard index < bytes.count else { throw Failure(index: index, reason: "expected a value, got the end of the file (truncated?)") }
            guard depth < 512 else { throw Failure(index: index, reason: "nested too deeply") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return }
                while true {
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                        throw Failure(index: index, reason: "expected a quoted key, got \(describe(index))")
                    }
                    try string()
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                        throw Failure(index: index, reason: "expected \":\" after a key, got \(describe(index))")
                    }
                    index += 1
                    try value(depth: depth + 1)
                    skipSpace()
                    guard index < bytes.count else { throw Failure(index: index, reason: "expected \",\" or \"}\", got the end of the file (truncated?)") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "}") { index += 1; return }
                    throw Failure(index: index, reason: "expected \",\" or \"}\", got \(describe(index))")
                }
            case UInt8(ascii: "["):
                index += 1
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return }
                while true {
                    try value(depth: depth + 1)
                    skipSpace()
                    guard index < bytes.count else { throw Failure(index: index, reason: "expected \",\" or \"]\", got the end of the file (truncated?)") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "]") { index += 1; return }
                    throw Failure(index: index, reason: "expected \",\" or \"]\", got \(describe(index))")
                }
            case UInt8(ascii: "\""):
                try string()
            default:
                let start = index
                while index < bytes.count, !" \t\r\n,]}".utf8.contains(bytes[index]) { index += 1 }
                let word = String(decoding: bytes[start..<index], as: UTF8.self)
                if word == "true" || word == "false" || word == "null" || Double(word) != nil { return }
                index = start
                throw Failure(index: start, reason: "expected a value (object, array, string, number, true, false, null), got \(describe(start))")
            }
        }
        func string() throws(Failure) {
            let start = index
            index += 1
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""): index += 1; return
                case UInt8(ascii: "\\"): index += 2
                case 0x0A: throw Failure(index: index, reason: "a line break inside a string")
                default: index += 1
                }
            }
            throw Failure(index: start, reason: "a string opened here is never closed (truncated?)")
        }
        do throws(Failure) {
            try value(depth: 0)
            skipSpace()
            if index < bytes.count { throw Failure(index: index, reason: "unexpected \(describe(index)) after the JSON value") }
            return (0, 0, "the JSON is well-formed but could not be decoded")
        } catch {
            var failureLine = 1
            var failureLineStart = 0
            for position in 0..<min(error.index, bytes.count) where bytes[position] == 0x0A {
                failureLine += 1
                failureLineStart = position + 1
            }
            return (failureLine, error.index - failureLineStart + 1, error.reason)
        }
    }
}
