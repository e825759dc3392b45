import Foundation
import StackSupport

/// One listener-rule condition. Values inside a condition are alternatives (OR); a rule's conditions must all
/// hold (AND), as on ALB.
public enum RuleCondition: Sendable, Hashable {
    /// Case-insensitive wildcard match on the Host header without its port.
    case hostHeader([WildcardPattern])
    /// Case-sensitive wildcard match on the path (query excluded).
    case pathPattern([WildcardPattern])
    /// A named header (case-insensitive name) whose value matches one of the patterns, case-insensitively.
    case httpHeader(name: String, values: [WildcardPattern])
    /// Exact, case-sensitive method names.
    case httpRequestMethod([String])
    /// Query parameters; a pair with no key matches any parameter's value.
    case queryString([QueryPair])
    /// The client's address inside one of the blocks.
    case sourceIP([CIDRBlock])
    /// Extension: the authenticated user belongs to one of these `cognito:groups`. Only rules that authenticate
    /// see a user; elsewhere the user has no groups and this condition fails.
    case group([String])

    public struct QueryPair: Sendable, Hashable, Codable {
        public var key: WildcardPattern?
        public var value: WildcardPattern

        public init(key: String?, value: String) {
            self.key = key.map { WildcardPattern($0, caseSensitive: false) }
            self.value = WildcardPattern(value, caseSensitive: false)
        }

        public init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                // "key=value" or "value" for a value-only pair.
                if let eq = text.firstIndex(of: "=") {
                    self.init(key: String(text[..<eq]), value: String(text[text.index(after: eq)...]))
                } else {
                    self.init(key: nil, value: text)
                }
                return
            }
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(key: try c.decodeIfPresent(String.self, forKey: .key), value: try c.decode(String.self, forKey: .value))
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(key?.pattern, forKey: .key)
            try c.encode(value.pattern, forKey: .value)
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case key, value }
    }

    /// Whether the condition reads the user rather than the request.
    public var isGroupCondition: Bool {
        if case .group = self { return true }
        return false
    }

    public func matches(_ facts: RequestFacts, groups: [String]) -> Bool {
        switch self {
        case let .hostHeader(patterns):
            return patterns.contains { $0.matches(facts.hostWithoutPort) }
        case let .pathPattern(patterns):
            return patterns.contains { $0.matches(facts.path) }
        case let .httpHeader(name, patterns):
            let lowered = name.lowercased()
            return facts.headers.contains { header in
                header.name.lowercased() == lowered && patterns.contains { $0.matches(header.value) }
            }
        case let .httpRequestMethod(methods):
            return methods.contains(facts.method)
        case let .queryString(pairs):
            return pairs.contains { pair in
                facts.query.contains { item in
                    pair.value.matches(item.value) && (pair.key.map { key in item.key.map(key.matches) ?? false } ?? true)
                }
            }
        case let .sourceIP(blocks):
            return blocks.contains { $0.contains(facts.sourceIP) }
        case let .group(names):
            return names.contains { groups.contains($0) }
        }
    }
}

extension RuleCondition: Codable {
    enum Field: String, CodingKey, CaseIterable {
        case hostHeader = "host-header"
        case pathPattern = "path-pattern"
        case httpHeader = "http-header"
        case httpRequestMethod = "http-request-method"
        case queryString = "query-string"
        case sourceIP = "source-ip"
        case group
    }

    struct HeaderSpec: Codable {
        var name: String
        var values: [String]

        init(name: String, values: [String]) { self.name = name; self.values = values }

        enum CodingKeys: String, CodingKey, CaseIterable { case name, values }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            values = try c.decode([String].self, forKey: .values)
        }
    }

    /// YAML form: a one-key map, e.g. `- path-pattern: ["/manager/*"]` or
    /// `- http-header: {name: User-Agent, values: ["*Mobile*"]}`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Field.self)
        let found = ((try? decoder.container(keyedBy: AnyConfigKey.self).allKeys) ?? []).map(\.stringValue).sorted()
        guard found.count == 1, c.allKeys.count == 1, let field = c.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "a condition is a map with exactly one of: \(Field.allCases.map(\.rawValue).joined(separator: ", ")); found: \(found.isEmpty ? "nothing" : found.joined(separator: ", "))"))
        }
        func strings() throws -> [String] {
            if let one = try? c.decode(String.self, forKey: field) { return [one] }
            let many = try c.decode([String].self, forKey: field)
            guard !many.isEmpty else {
                throw DecodingError.dataCorruptedError(forKey: field, in: c, debugDescription: "\(field.rawValue) needs at least one value")
            }
            return many
        }
        switch field {
        case .hostHeader: self = .hostHeader(try strings().map { WildcardPattern($0, caseSensitive: false) })
        case .pathPattern: self = .pathPattern(try strings().map { WildcardPattern($0, caseSensitive: true) })
        case .httpRequestMethod:
            let methods = try strings()
            if let bad = methods.first(where: { method in method.isEmpty || !method.allSatisfy { $0.isUppercase || $0 == "-" || $0 == "_" } }) {
                throw DecodingError.dataCorruptedError(forKey: field, in: c, debugDescription: "method '\(bad)' is not an upper-case HTTP method name")
            }
            self = .httpRequestMethod(methods)
        case .group: self = .group(try strings())
        case .sourceIP:
            do {
                self = .sourceIP(try strings().map { try CIDRBlock($0) })
            } catch let error as EdgeConfigError {
                throw DecodingError.dataCorruptedError(forKey: field, in: c, debugDescription: error.description)
            }
        case .httpHeader:
            let spec = try c.decode(HeaderSpec.self, forKey: field)
            self = .httpHeader(name: spec.name, values: spec.values.map { WildcardPattern($0, caseSensitive: false) })
        case .queryString:
            self = .queryString(try c.decode([QueryPair].self, forKey: field))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Field.self)
        switch self {
        case let .hostHeader(p): try c.encode(p.map(\.pattern), forKey: .hostHeader)
        case let .pathPattern(p): try c.encode(p.map(\.pattern), forKey: .pathPattern)
        case let .httpHeader(name, values): try c.encode(HeaderSpec(name: name, values: values.map(\.pattern)), forKey: .httpHeader)
        case let .httpRequestMethod(m): try c.encode(m, forKey: .httpRequestMethod)
        case let .queryString(pairs): try c.encode(pairs, forKey: .queryString)
        case let .sourceIP(blocks): try c.encode(blocks.map(\.description), forKey: .sourceIP)
        case let .group(groups): try c.encode(groups, forKey: .group)
        }
    }
}
