/// Just enough URL handling for redirects and cookies: split into origin, host and path, resolve a
/// `Location` against the URL it came from.
struct WebURL: Sendable, Equatable {
    /// `https://host:port`
    var origin: String
    /// Lowercased host name, no port.
    var host: String
    /// Path and query, starting with `/`.
    var path: String

    init?(_ text: String) {
        guard let schemeEnd = text.range(of: "://") else { return nil }
        let afterScheme = text[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        guard !authority.isEmpty else { return nil }
        origin = String(text[..<authorityEnd])
        let hostPart = authority.split(separator: "@").last ?? authority
        host = String(hostPart.prefix { $0 != ":" }).lowercased()
        var rest = String(afterScheme[authorityEnd...])
        if let fragment = rest.firstIndex(of: "#") { rest = String(rest[..<fragment]) }
        path = rest.isEmpty ? "/" : (rest.hasPrefix("?") ? "/" + rest : rest)
    }

    var string: String { origin + path }

    /// Resolves `location` (absolute, or absolute-path, or relative to the current path) against self.
    func resolving(_ location: String) -> WebURL? {
        if location.contains("://") { return WebURL(location) }
        if location.hasPrefix("//") { return WebURL((origin.hasPrefix("https") ? "https:" : "http:") + location) }
        if location.hasPrefix("/") { return WebURL(origin + location) }
        let directory = path.prefix { $0 != "?" }
        let base = directory.lastIndex(of: "/").map { directory[...$0] } ?? "/"
        return WebURL(origin + base + location)
    }
}

/// A virtual user's cookies, per host: what a browser would send back.
struct CookieJar: Sendable, Equatable {
    private(set) var cookies: [String: [(name: String, value: String)]] = [:]

    static func == (lhs: CookieJar, rhs: CookieJar) -> Bool {
        lhs.header(for: "") == rhs.header(for: "") && lhs.cookies.keys.sorted() == rhs.cookies.keys.sorted()
            && lhs.cookies.keys.allSatisfy { lhs.header(for: $0) == rhs.header(for: $0) }
    }

    /// Stores a `Set-Cookie` value for `host` (host-only cookies; `Max-Age=0` or an empty value deletes).
    mutating func store(_ setCookie: String, host: String) {
        let attributes = setCookie.split(separator: ";", omittingEmptySubsequences: false)
        guard let pair = attributes.first, let equals = pair.firstIndex(of: "=") else { return }
        let name = pair[..<equals].trimmingCharacters(in: " ")
        let value = pair[pair.index(after: equals)...].trimmingCharacters(in: " ")
        let deletes = value.isEmpty || attributes.dropFirst().contains { $0.trimmingCharacters(in: " ").lowercased() == "max-age=0" }
        var list = cookies[host] ?? []
        list.removeAll { $0.name == name }
        if !deletes { list.append((name, value)) }
        cookies[host] = list
    }

    /// The `Cookie` header for `host`, nil when there is nothing to send.
    func header(for host: String) -> String? {
        guard let list = cookies[host], !list.isEmpty else { return nil }
        return list.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
    }

    func has(prefix: String, host: String) -> Bool {
        cookies[host]?.contains { $0.name.hasPrefix(prefix) } ?? false
    }

    mutating func clear(host: String) { cookies[host] = nil }
}
