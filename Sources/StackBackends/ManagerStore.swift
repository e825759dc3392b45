import Crypto
import Foundation

/// The Manager UI's state: the directory's users (read-only here), log sources, API keys and
/// retention. An actor because handlers on many connections change it.
public actor ManagerStore {
    private let users: [DirectoryUser]
    private var sources: [LogSource] = []
    private var keys: [APIKeyInfo] = []
    /// SHA-256 of each key's secret, by key id; the secret itself is never kept.
    private var keyHashes: [String: [UInt8]] = [:]
    private var retention: RetentionSettings
    private let now: @Sendable () -> Date

    public init(
        users: [DirectoryUser], sources: [LogSourceInput] = ManagerStore.defaultSources,
        retentionDays: Int = 30, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.users = users.sorted { $0.username < $1.username }
        self.retention = RetentionSettings(days: retentionDays)
        self.now = now
        let start = now()
        self.sources = sources.map { input in
            LogSource(
                id: Self.newID(prefix: "src"), name: input.name, kind: input.kind, description: input.description ?? "",
                enabled: input.enabled ?? true, createdAt: start, updatedAt: start
            )
        }
    }

    /// The source every stack starts with: the upload gateway's HTTP intake.
    /// Bounds on what API calls can add, so that a long load test creating sources and keys holds bounded
    /// memory; past them a create is refused with 409 `limit_exceeded` (revoked keys count: they are kept).
    public static let maxSources = 1_000
    public static let maxKeys = 10_000

    public static let defaultSources = [
        LogSourceInput(name: "upload-gateway", kind: "http", description: "Events sent to POST /v1/events"),
    ]

    public func listUsers() -> [DirectoryUser] { users }

    public func user(named username: String) throws(APIError) -> DirectoryUser {
        guard let user = users.first(where: { $0.username == username }) else { throw .notFound("no user '\(username)'") }
        return user
    }

    public func listSources() -> [LogSource] { sources }

    public func source(id: String) throws(APIError) -> LogSource {
        guard let source = sources.first(where: { $0.id == id }) else { throw .notFound("no source '\(id)'") }
        return source
    }

    public func createSource(_ input: LogSourceInput) throws(APIError) -> LogSource {
        try input.validate()
        guard !sources.contains(where: { $0.name == input.name }) else {
            throw APIError(.conflict, code: "conflict", message: "a source named '\(input.name)' already exists", field: "name")
        }
        guard sources.count < Self.maxSources else {
            throw APIError(.conflict, code: "limit_exceeded", message: "at most \(Self.maxSources) sources; delete one first")
        }
        let time = now()
        let source = LogSource(
            id: Self.newID(prefix: "src"), name: input.name, kind: input.kind, description: input.description ?? "",
            enabled: input.enabled ?? true, createdAt: time, updatedAt: time
        )
        sources.append(source)
        return source
    }

    public func updateSource(id: String, _ input: LogSourceInput) throws(APIError) -> LogSource {
        try input.validate()
        guard let index = sources.firstIndex(where: { $0.id == id }) else { throw .notFound("no source '\(id)'") }
        guard !sources.contains(where: { $0.name == input.name && $0.id != id }) else {
            throw APIError(.conflict, code: "conflict", message: "a source named '\(input.name)' already exists", field: "name")
        }
        sources[index].name = input.name
        sources[index].kind = input.kind
        sources[index].description = input.description ?? sources[index].description
        sources[index].enabled = input.enabled ?? sources[index].enabled
        sources[index].updatedAt = now()
        return sources[index]
    }

    public func deleteSource(id: String) throws(APIError) {
        guard let index = sources.firstIndex(where: { $0.id == id }) else { throw .notFound("no source '\(id)'") }
        if keys.contains(where: { $0.sourceId == id && !$0.revoked }) {
            throw APIError(.conflict, code: "conflict", message: "source '\(id)' still has active API keys; revoke them first")
        }
        sources.remove(at: index)
    }

    public func listKeys() -> [APIKeyInfo] { keys }

    public func createKey(_ input: APIKeyInput, createdBy: String) throws(APIError) -> CreatedAPIKey {
        try input.validate()
        if let sourceId = input.sourceId, !sources.contains(where: { $0.id == sourceId }) {
            throw .invalid("sourceId", "sourceId '\(sourceId)' names no source")
        }
        guard keys.count < Self.maxKeys else {
            throw APIError(.conflict, code: "limit_exceeded", message: "at most \(Self.maxKeys) API keys, revoked ones included")
        }
        let secret = "gk_" + Self.randomHex(bytes: 20)
        let info = APIKeyInfo(
            id: Self.newID(prefix: "key"), name: input.name, prefix: String(secret.prefix(10)), sourceId: input.sourceId,
            createdAt: now(), createdBy: createdBy, revoked: false
        )
        keys.append(info)
        keyHashes[info.id] = Array(SHA256.hash(data: Data(secret.utf8)))
        return CreatedAPIKey(key: secret, info: info)
    }

    public func revokeKey(id: String) throws(APIError) -> APIKeyInfo {
        guard let index = keys.firstIndex(where: { $0.id == id }) else { throw .notFound("no API key '\(id)'") }
        keys[index].revoked = true
        return keys[index]
    }

    /// Whether `secret` is a live key; what an upload gateway would ask.
    public func isValidKey(_ secret: String) -> Bool {
        let hash = Array(SHA256.hash(data: Data(secret.utf8)))
        return keys.contains { !$0.revoked && keyHashes[$0.id] == hash }
    }

    public func getRetention() -> RetentionSettings { retention }

    public func setRetention(_ input: RetentionInput, updatedBy: String) throws(APIError) -> RetentionSettings {
        try input.validate()
        retention = RetentionSettings(
            days: input.days, legalHold: input.legalHold ?? retention.legalHold, updatedAt: now(), updatedBy: updatedBy
        )
        return retention
    }

    static func newID(prefix: String) -> String { "\(prefix)_\(randomHex(bytes: 8))" }

    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
