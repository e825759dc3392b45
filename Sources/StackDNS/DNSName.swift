/// A domain name as a list of labels, compared case-insensitively (RFC 1035 §2.3.3, RFC 4343).
///
/// Labels are kept in their lowercased form, so equality and hashing need no folding later; the
/// server answers with the names from its own table, so a query's original casing is not needed.
public struct DNSName: Hashable, Sendable, CustomStringConvertible {
    /// Lowercased labels, most specific first; the root is the empty list.
    public let labels: [String]

    public static let root = DNSName(validatedLabels: [])

    init(validatedLabels labels: [String]) {
        self.labels = labels
    }

    /// Parses a dotted name such as `example.logs.gauntlet.test` (a trailing dot is allowed).
    public init(_ text: String) throws(DNSNameError) {
        var trimmed = Substring(text)
        if trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
        if trimmed.isEmpty {
            self.labels = []
            return
        }
        var labels: [String] = []
        var wireLength = 1
        for part in trimmed.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { throw .emptyLabel(name: text) }
            let utf8Count = part.utf8.count
            guard utf8Count <= DNSName.maxLabelLength else { throw .labelTooLong(label: String(part), length: utf8Count) }
            guard part.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }) else {
                throw .invalidCharacter(label: String(part))
            }
            wireLength += utf8Count + 1
            labels.append(part.lowercased())
        }
        guard wireLength <= DNSName.maxWireLength else { throw .nameTooLong(length: wireLength) }
        self.labels = labels
    }

    public static let maxLabelLength = 63
    public static let maxWireLength = 255

    public var description: String { labels.isEmpty ? "." : labels.joined(separator: ".") + "." }

    /// Whether `self` equals `ancestor` or lies beneath it.
    public func isSubdomain(of ancestor: DNSName) -> Bool {
        labels.count >= ancestor.labels.count && labels.suffix(ancestor.labels.count).elementsEqual(ancestor.labels)
    }

    /// Wire form without compression: length-prefixed labels and the terminating zero.
    var wireBytes: [UInt8] {
        var bytes: [UInt8] = []
        for label in labels {
            bytes.append(UInt8(label.utf8.count))
            bytes.append(contentsOf: label.utf8)
        }
        bytes.append(0)
        return bytes
    }
}

public enum DNSNameError: Error, Equatable, CustomStringConvertible {
    case emptyLabel(name: String)
    case labelTooLong(label: String, length: Int)
    case invalidCharacter(label: String)
    case nameTooLong(length: Int)

    public var description: String {
        switch self {
        case .emptyLabel(let name): "DNS name '\(name)' has an empty label"
        case .labelTooLong(let label, let length): "DNS label '\(label)' is \(length) bytes; at most 63 are allowed"
        case .invalidCharacter(let label): "DNS label '\(label)' has a character outside printable ASCII"
        case .nameTooLong(let length): "DNS name is \(length) bytes on the wire; at most 255 are allowed"
        }
    }
}
