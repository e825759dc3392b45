/// Where `--live` listens: an IPv4 address and a port (0: a free one, printed at start).
///
/// Accepted spellings: `HOST:PORT`, `:PORT`, `PORT`, `HOST` (port 0), with HOST an IPv4 address or
/// `localhost`. The default, `127.0.0.1:0`, keeps the endpoint on this machine.
public struct LiveAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public static let loopback = LiveAddress(host: "127.0.0.1", port: 0)

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// A problem with an `--live` address, saying what was expected.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var text: String
        public var reason: String
        public var description: String {
            "--live \"\(text)\": \(reason); expected HOST:PORT, :PORT, PORT or HOST with an IPv4 HOST, e.g. 127.0.0.1:9464"
        }
    }

    public static func parse(_ text: String) throws(Invalid) -> LiveAddress {
        var host = "127.0.0.1"
        var portText: Substring?
        if let colon = text.lastIndex(of: ":") {
            let before = text[..<colon]
            if !before.isEmpty { host = String(before) }
            portText = text[text.index(after: colon)...]
        } else if !text.isEmpty, text.allSatisfy(\.isASCIIDigit) {
            portText = Substring(text)
        } else if !text.isEmpty {
            host = text
        }
        if host == "localhost" { host = "127.0.0.1" }
        guard isIPv4(host) else { throw Invalid(text: text, reason: "\"\(host)\" is not an IPv4 address") }
        var port = 0
        if let portText {
            guard let value = Int(portText), portText.allSatisfy(\.isASCIIDigit), (0...65_535).contains(value) else {
                throw Invalid(text: text, reason: "\"\(portText)\" is not a port number (0-65535)")
            }
            port = value
        }
        return LiveAddress(host: host, port: port)
    }

    /// Whether a command-line word reads as an address rather than, say, a scenario file: only digits, dots
    /// and a colon, or `localhost` with an optional port. Lets `--live` stand alone before a positional.
    public static func looksLikeAddress(_ word: String) -> Bool {
        if word == "localhost" || word.hasPrefix("localhost:") { return true }
        return !word.isEmpty && word.allSatisfy { $0.isASCIIDigit || $0 == "." || $0 == ":" } && word.filter { $0 == ":" }.count <= 1
    }

    static func isIPv4(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCIIDigit) && Int(part)! <= 255
        }
    }

    public var description: String { "\(host):\(port)" }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
