import Foundation

/// What listener rules look at in a request, detached from any HTTP library so the engine stays pure.
public struct RequestFacts: Sendable, Hashable {
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) { self.name = name; self.value = value }
    }

    public struct QueryItem: Sendable, Hashable {
        public var key: String?
        public var value: String
    }

    /// Host header as sent (may carry a port).
    public var host: String
    public var path: String
    public var rawQuery: String
    public var method: String
    public var headers: [Header]
    public var sourceIP: String

    public init(host: String, path: String, rawQuery: String = "", method: String = "GET", headers: [Header] = [], sourceIP: String = "127.0.0.1") {
        self.host = host
        self.path = path
        self.rawQuery = rawQuery
        self.method = method
        self.headers = headers
        self.sourceIP = sourceIP
    }

    public var hostWithoutPort: String {
        if host.hasPrefix("[") { // [::1]:443
            if let close = host.firstIndex(of: "]") { return String(host[...close]) }
            return host
        }
        if let colon = host.lastIndex(of: ":"), host.firstIndex(of: ":") == colon { return String(host[..<colon]) }
        return host
    }

    /// Query parameters, percent-decoded; a bare `b` is key `b` with an empty value.
    public var query: [QueryItem] {
        rawQuery.split(separator: "&", omittingEmptySubsequences: true).map { part in
            if let eq = part.firstIndex(of: "=") {
                return QueryItem(key: Self.percentDecode(part[..<eq]), value: Self.percentDecode(part[part.index(after: eq)...]))
            }
            return QueryItem(key: Self.percentDecode(part), value: "")
        }
    }

    static func percentDecode(_ text: Substring) -> String {
        let plussed = text.replacing("+", with: " ")
        return plussed.removingPercentEncoding ?? String(plussed)
    }
}
