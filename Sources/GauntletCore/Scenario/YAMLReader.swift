import Yams

/// Walks a composed YAML tree and reads typed values out of it, recording a located `ScenarioIssue`
/// for every problem instead of throwing at the first one.
///
/// Decoding through `Codable` would stop at the first error and lose the line and column; this reader
/// keeps both, and knows which keys of each mapping were read so that it can flag unknown keys (with a
/// did-you-mean) once a mapping has been consumed.
final class YAMLReader {
    let file: String
    var issues: [ScenarioIssue] = []

    init(file: String) {
        self.file = file
    }

    func report(_ node: Node?, _ path: String, _ message: String) {
        let mark = node?.mark
        issues.append(ScenarioIssue(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0, path: path, message: message))
    }

    /// A located mapping whose keys are tracked, so unread (unknown) keys can be reported.
    final class Mapping {
        let node: Node
        let path: String
        private let reader: YAMLReader
        private var entries: [(key: String, keyNode: Node, value: Node)] = []
        private var read: Set<String> = []

        init(node: Node, path: String, reader: YAMLReader) {
            self.node = node
            self.path = path
            self.reader = reader
            guard case let .mapping(mapping) = node else { return }
            var seen: Set<String> = []
            for (keyNode, value) in mapping {
                guard case let .scalar(scalar) = keyNode else {
                    reader.report(keyNode, path, "expected a plain key")
                    continue
                }
                if !seen.insert(scalar.string).inserted {
                    reader.report(keyNode, reader.join(path, scalar.string), "duplicate key \"\(scalar.string)\"")
                    continue
                }
                entries.append((scalar.string, keyNode, value))
            }
        }

        var keys: [String] { entries.map(\.key) }

        func has(_ key: String) -> Bool { entries.contains { $0.key == key } }

        /// The value under `key`, marking the key as known.
        func value(_ key: String) -> Node? {
            read.insert(key)
            guard let entry = entries.first(where: { $0.key == key }) else { return nil }
            // An explicit null (`key:`, `key: ~`, `key: null`) reads as absent.
            if case .scalar(let scalar) = entry.value, scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
                return nil
            }
            return entry.value
        }

        func childPath(_ key: String) -> String { reader.join(path, key) }

        /// Reports every key that no one asked for, suggesting the closest known key.
        func rejectUnknownKeys(known: [String]) {
            let allowed = Set(known).union(read)
            for entry in entries where !allowed.contains(entry.key) {
                var message = "unknown key \"\(entry.key)\""
                if let suggestion = DidYouMean.suggestion(for: entry.key, among: Array(allowed)) {
                    message += "; did you mean \"\(suggestion)\"?"
                } else {
                    message += "; expected one of: \(allowed.sorted().joined(separator: ", "))"
                }
                reader.report(entry.keyNode, reader.join(path, entry.key), message)
            }
        }

        func rejectUnknownKeys() { rejectUnknownKeys(known: []) }
    }

    func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    func mapping(_ node: Node?, _ path: String, what: String = "a mapping") -> Mapping? {
        guard let node else { return nil }
        guard case .mapping = node else {
            report(node, path, "expected \(what), got \(describe(node))")
            return nil
        }
        return Mapping(node: node, path: path, reader: self)
    }

    func sequence(_ node: Node?, _ path: String, what: String = "a list") -> [Node]? {
        guard let node else { return nil }
        guard case let .sequence(sequence) = node else {
            report(node, path, "expected \(what), got \(describe(node))")
            return nil
        }
        return Array(sequence)
    }

    func string(_ node: Node?, _ path: String, what: String = "a string") -> String? {
        guard let node else { return nil }
        guard case let .scalar(scalar) = node else {
            report(node, path, "expected \(what), got \(describe(node))")
            return nil
        }
        return scalar.string
    }

    func bool(_ node: Node?, _ path: String) -> Bool? {
        guard let text = string(node, path, what: "true or false") else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            report(node, path, "expected true or false, got \"\(text)\"")
            return nil
        }
    }

    func integer(_ node: Node?, _ path: String, min: Int? = nil, max: Int? = nil, what: String = "a whole number") -> Int? {
        guard let text = string(node, path, what: what) else { return nil }
        guard let value = Int(text.replacingUnderscores()) else {
            report(node, path, "expected \(what), got \"\(text)\"")
            return nil
        }
        if let min, value < min {
            report(node, path, "expected \(what) of at least \(min), got \(value)")
            return nil
        }
        if let max, value > max {
            report(node, path, "expected \(what) of at most \(max), got \(value)")
            return nil
        }
        return value
    }

    /// A number parsed by one of the `Quantity` parsers, with a range check.
    func quantity(
        _ node: Node?, _ path: String, what: String, parse: (String) -> Double?,
        min: Double? = nil, minExclusive: Bool = false, max: Double? = nil
    ) -> Double? {
        guard let text = string(node, path, what: what) else { return nil }
        guard let value = parse(text.replacingUnderscores()) else {
            report(node, path, "expected \(what), got \"\(text)\"")
            return nil
        }
        if let min, minExclusive ? value <= min : value < min {
            let bound = minExclusive ? "not above" : "below"
            report(node, path, "expected \(what), got \(text), which is \(bound) \(Quantity.trim(min))")
            return nil
        }
        if let max, value > max {
            report(node, path, "expected \(what), got \(text), which is above \(Quantity.trim(max))")
            return nil
        }
        return value
    }

    func seconds(_ node: Node?, _ path: String, allowZero: Bool = false) -> Double? {
        quantity(node, path, what: "a duration such as 10s, 250ms or 1m30s", parse: Quantity.seconds, min: 0, minExclusive: !allowZero)
    }

    func rate(_ node: Node?, _ path: String) -> Double? {
        quantity(node, path, what: "a non-negative rate in requests per second (e.g. 50 or 3000/m)", parse: Quantity.perSecond, min: 0)
    }

    func ratio(_ node: Node?, _ path: String) -> Double? {
        quantity(node, path, what: "a fraction between 0 and 1 (e.g. 0.01 or 1%)", parse: Quantity.ratio, min: 0, max: 1)
    }

    func oneOf(_ node: Node?, _ path: String, _ choices: [String]) -> String? {
        guard let text = string(node, path, what: "one of \(choices.joined(separator: ", "))") else { return nil }
        guard choices.contains(text) else {
            var message = "expected one of \(choices.map { "\"\($0)\"" }.joined(separator: ", ")), got \"\(text)\""
            if let suggestion = DidYouMean.suggestion(for: text, among: choices) {
                message += "; did you mean \"\(suggestion)\"?"
            }
            report(node, path, message)
            return nil
        }
        return text
    }

    /// One of an enum's raw values, as the enum's case.
    func oneOf<Choice: CaseIterable & RawRepresentable>(_ node: Node?, _ path: String, _ type: Choice.Type) -> Choice? where Choice.RawValue == String {
        oneOf(node, path, Choice.allCases.map(\.rawValue)).flatMap(Choice.init(rawValue:))
    }

    func require(_ node: Node?, in mapping: Mapping, _ key: String) -> Node? {
        if node == nil {
            report(mapping.node, mapping.childPath(key), "required key \"\(key)\" is missing")
        }
        return node
    }

    func describe(_ node: Node) -> String {
        switch node {
        case let .scalar(scalar): return "\"\(scalar.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

private extension String {
    /// YAML readers allow `10_000`; so do we.
    func replacingUnderscores() -> String {
        guard contains("_") else { return self }
        return String(filter { $0 != "_" })
    }
}
