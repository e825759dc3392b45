import Foundation
import Yams

/// A stack config error a person can act on: where it is (line:column, key path) and what was expected.
public struct StackConfigError: Error, CustomStringConvertible, Equatable {
    public var file: String?
    public var line: Int?
    public var column: Int?
    public var path: String
    public var message: String

    public init(file: String? = nil, line: Int? = nil, column: Int? = nil, path: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    public var description: String {
        var location = file ?? "stack config"
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        return path.isEmpty ? "\(location): \(message)" : "\(location): \(path): \(message)"
    }
}

/// Thrown from a section's `init(from:)` for a key it does not know; the loader adds line and column.
public struct UnknownConfigKey: Error {
    public var key: String
    public var codingPath: [any CodingKey]
    public var allowed: [String]
}

public struct AnyConfigKey: CodingKey {
    public var stringValue: String
    public var intValue: Int?
    public init(stringValue: String) { self.stringValue = stringValue }
    public init(intValue: Int) {
        self.stringValue = "\(intValue)"
        self.intValue = intValue
    }
}

extension Decoder {
    /// Rejects any key not in `Keys`, naming it and the keys that are allowed.
    public func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_: Keys.Type) throws {
        let allowed = Keys.allCases.map(\.stringValue)
        let container = try self.container(keyedBy: AnyConfigKey.self)
        for key in container.allKeys where !allowed.contains(key.stringValue) {
            throw UnknownConfigKey(key: key.stringValue, codingPath: codingPath, allowed: allowed)
        }
    }
}

extension KeyedDecodingContainer {
    /// The value under `key`, or `defaultValue` when the key is absent or null.
    public func value<T: Decodable>(_ key: Key, default defaultValue: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? defaultValue
    }
}

/// Decodes a stack YAML document into a config type, turning every decoding failure into a
/// ``StackConfigError`` with the line and column of the offending key or value.
public enum StackConfigLoader {
    public static func decode<T: Decodable>(_ type: T.Type, yaml: String, file: String? = nil) throws -> T {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                return try YAMLDecoder().decode(T.self, from: "{}")
            }
            root = node
        } catch let error as YamlError {
            throw StackConfigError(file: file, path: "", message: "not valid YAML: \(error)")
        }
        do {
            return try YAMLDecoder().decode(T.self, from: root)
        } catch let unknown as UnknownConfigKey {
            let parent = locate(unknown.codingPath, in: root)
            let keyNode = parent?.mapping?.keys.first { $0.string == unknown.key }
            let path = pathString(unknown.codingPath.map(\.stringValue) + [unknown.key])
            return try fail(
                file, keyNode ?? parent, path,
                "unknown key '\(unknown.key)' (expected one of: \(unknown.allowed.joined(separator: ", ")))")
        } catch let error as DecodingError {
            switch error {
            case .typeMismatch(let type, let context):
                return try fail(file, locate(context.codingPath, in: root), pathString(context.codingPath), "expected \(describe(type)); \(context.debugDescription)")
            case .valueNotFound(let type, let context):
                return try fail(file, locate(context.codingPath, in: root), pathString(context.codingPath), "expected \(describe(type)), found nothing")
            case .keyNotFound(let key, let context):
                return try fail(file, locate(context.codingPath, in: root), pathString(context.codingPath), "missing key '\(key.stringValue)'")
            case .dataCorrupted(let context):
                return try fail(file, locate(context.codingPath, in: root), pathString(context.codingPath), context.debugDescription)
            @unknown default:
                throw StackConfigError(file: file, path: "", message: "\(error)")
            }
        } catch let error as StackConfigError {
            throw error
        } catch {
            throw StackConfigError(file: file, path: "", message: "\(error)")
        }
    }

    /// Loads a file; a missing `url` means "all defaults".
    public static func load<T: Decodable>(_ type: T.Type, from url: URL?) throws -> T {
        guard let url else { return try decode(T.self, yaml: "{}") }
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw StackConfigError(file: url.path, path: "", message: "cannot read the file: \(error.localizedDescription)")
        }
        return try decode(T.self, yaml: text, file: url.path)
    }

    private static func fail<T>(_ file: String?, _ node: Node?, _ path: String, _ message: String) throws -> T {
        throw StackConfigError(
            file: file, line: node?.mark?.line, column: node?.mark?.column, path: path, message: message)
    }

    private static func locate(_ path: [any CodingKey], in root: Node) -> Node? {
        var node: Node? = root
        for key in path {
            guard let current = node else { return nil }
            if let index = key.intValue, let sequence = current.sequence {
                node = index < sequence.count ? sequence[index] : current
            } else if let mapping = current.mapping {
                node = mapping.first { $0.key.string == key.stringValue }?.value ?? current
            }
        }
        return node
    }

    private static func pathString(_ path: [any CodingKey]) -> String {
        pathString(path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue })
    }

    private static func pathString(_ parts: [String]) -> String {
        parts.reduce("") { acc, part in
            part.hasPrefix("[") ? acc + part : (acc.isEmpty ? part : acc + "." + part)
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is UInt64.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }
}
