import Foundation
import Hummingbird

/// `application/x-www-form-urlencoded` and query-string handling, written out so that malformed input
/// (bad percent escapes, repeated keys) has one well-defined outcome: the first value wins, bad escapes
/// are kept literally.
enum FormEncoding {
    static func parse(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(String(parts[0]))
            let value = parts.count > 1 ? decode(String(parts[1])) : ""
            if result[key] == nil { result[key] = value }
        }
        return result
    }

    static func decode(_ text: String) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Appends query parameters to a URL that may already have some.
    static func appending(_ pairs: [(String, String)], to url: String) -> String {
        url + (url.contains("?") ? "&" : "?") + encode(pairs)
    }
}

extension Request {
    var query: [String: String] { FormEncoding.parse(uri.query ?? "") }

    func cookie(_ name: String) -> String? {
        for header in headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0] == name { return String(pair[1]) }
            }
        }
        return nil
    }

    /// The form body, or nil when the content type is wrong or the body is larger than `limit`.
    func form(limit: Int) async -> [String: String]? {
        guard (headers[.contentType] ?? "").lowercased().hasPrefix("application/x-www-form-urlencoded") else { return nil }
        guard let buffer = try? await body.collect(upTo: limit) else { return nil }
        return FormEncoding.parse(String(decoding: buffer.readableBytesView, as: UTF8.self))
    }
}
