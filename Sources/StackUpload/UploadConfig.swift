import Crypto
import Foundation
import StackSupport

/// The `upload:` section of the stack's YAML. Every field has a default, so an empty section is valid.
///
/// ```yaml
/// upload:
///   api_keys: [{name: ci, value: "0123456789abcdefghijKLMN"}]
///   demo_key_count: 3          # demo-1…demo-3, derived from demo_key_seed (default: the stack's seed)
///   rate_limit: 10000          # requests/s per API key (token bucket)
///   burst_limit: 5000
///   max_body_bytes: 10485760   # compressed or decoded
///   max_event_bytes: 262144
///   retention_hours: 168
///   require_bearer: false      # true: a client_credentials access token with upload_scope is required
///   upload_scope: gauntlet-upload/events.write
/// ```
public struct UploadConfig: StackConfigSection {
    public struct APIKey: Codable, Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The listener's address and port (0 = ephemeral) and the name its certificate is for.
    public var host = "127.0.0.1"
    public var port = 0
    public var hostname = "upload.example.logs.gauntlet.test"
    /// Keys given explicitly; the demo keys derived from `demoKeySeed` are accepted as well.
    public var apiKeys: [APIKey] = []
    /// The seed of the demo keys; nil means the stack's seed (as a decimal string).
    public var demoKeySeed: String?
    public var demoKeyCount = 3
    /// Token bucket per API key, in requests: API Gateway's account defaults are 10,000/s with a 5,000 burst.
    public var rateLimit: Double = 10_000
    public var burstLimit: Double = 5_000
    public var maxBodyBytes = 10 * 1024 * 1024
    public var maxEventBytes = 256 * 1024
    public var maxEventsPerBatch = 100_000
    public var maxHeaderBytes = 10_240
    /// Closed segments older than this are deleted.
    public var retentionHours: Double = 168
    public var segmentMaxBytes = 64 * 1024 * 1024
    /// When true a Bearer access token is required; when false one is still verified if sent.
    public var requireBearer = false
    /// The scope the `client_credentials` token must carry, and its issuer (nil: not checked).
    public var uploadScope = "gauntlet-upload/events.write"
    public var issuer: String?

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port, hostname
        case apiKeys = "api_keys"
        case demoKeySeed = "demo_key_seed"
        case demoKeyCount = "demo_key_count"
        case rateLimit = "rate_limit"
        case burstLimit = "burst_limit"
        case maxBodyBytes = "max_body_bytes"
        case maxEventBytes = "max_event_bytes"
        case maxEventsPerBatch = "max_events_per_batch"
        case maxHeaderBytes = "max_header_bytes"
        case retentionHours = "retention_hours"
        case segmentMaxBytes = "segment_max_bytes"
        case requireBearer = "require_bearer"
        case uploadScope = "upload_scope"
        case issuer
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = UploadConfig()
        host = try c.decodeIfPresent(String.self, forKey: .host) ?? d.host
        port = try c.decodeIfPresent(Int.self, forKey: .port) ?? d.port
        hostname = try c.decodeIfPresent(String.self, forKey: .hostname) ?? d.hostname
        apiKeys = try c.decodeIfPresent([APIKey].self, forKey: .apiKeys) ?? d.apiKeys
        demoKeySeed = try c.decodeIfPresent(String.self, forKey: .demoKeySeed)
        demoKeyCount = try c.decodeIfPresent(Int.self, forKey: .demoKeyCount) ?? d.demoKeyCount
        rateLimit = try c.decodeIfPresent(Double.self, forKey: .rateLimit) ?? d.rateLimit
        burstLimit = try c.decodeIfPresent(Double.self, forKey: .burstLimit) ?? d.burstLimit
        maxBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? d.maxBodyBytes
        maxEventBytes = try c.decodeIfPresent(Int.self, forKey: .maxEventBytes) ?? d.maxEventBytes
        maxEventsPerBatch = try c.decodeIfPresent(Int.self, forKey: .maxEventsPerBatch) ?? d.maxEventsPerBatch
        maxHeaderBytes = try c.decodeIfPresent(Int.self, forKey: .maxHeaderBytes) ?? d.maxHeaderBytes
        retentionHours = try c.decodeIfPresent(Double.self, forKey: .retentionHours) ?? d.retentionHours
        segmentMaxBytes = try c.decodeIfPresent(Int.self, forKey: .segmentMaxBytes) ?? d.segmentMaxBytes
        requireBearer = try c.decodeIfPresent(Bool.self, forKey: .requireBearer) ?? d.requireBearer
        uploadScope = try c.decodeIfPresent(String.self, forKey: .uploadScope) ?? d.uploadScope
        issuer = try c.decodeIfPresent(String.self, forKey: .issuer) ?? d.issuer
        do {
            try validate()
        } catch let error as InvalidConfig {
            // As a DecodingError at the key, so the stack's loader reports its line and column.
            throw DecodingError.dataCorruptedError(forKey: error.key, in: c, debugDescription: error.problem)
        }
    }

    public struct InvalidConfig: Error, CustomStringConvertible {
        let key: CodingKeys
        public let problem: String
        public var field: String { key.rawValue }
        public var description: String { "upload.\(field): \(problem)" }
    }

    /// Refuses values that would make the gateway misbehave, naming the YAML field.
    public func validate() throws {
        func check(_ ok: Bool, _ field: CodingKeys, _ problem: String) throws {
            if !ok { throw InvalidConfig(key: field, problem: problem) }
        }
        try check((0...65535).contains(port), .port, "\(port) is not a port number (0-65535)")
        try check(rateLimit >= 0, .rateLimit, "must be >= 0, got \(rateLimit)")
        try check(burstLimit >= 1, .burstLimit, "must be >= 1, got \(burstLimit)")
        try check(maxBodyBytes > 0, .maxBodyBytes, "must be > 0")
        try check(maxEventBytes > 0 && maxEventBytes <= maxBodyBytes, .maxEventBytes, "must be in 1...max_body_bytes")
        try check(maxEventsPerBatch > 0, .maxEventsPerBatch, "must be > 0")
        try check(maxHeaderBytes >= 1024, .maxHeaderBytes, "must be >= 1024")
        try check(retentionHours > 0, .retentionHours, "must be > 0")
        try check(segmentMaxBytes >= 4096, .segmentMaxBytes, "must be >= 4096")
        try check((0...1000).contains(demoKeyCount), .demoKeyCount, "must be in 0...1000")
        for key in apiKeys {
            try check(key.value.utf8.count >= 20, .apiKeys, "key \(key.name) is shorter than 20 characters (API Gateway's minimum)")
        }
    }

    /// The event store's options that this section sets (retention, segment size).
    public var storeOptions: EventStore.Options {
        var options = EventStore.Options()
        options.retention = retentionHours * 3600
        options.segmentMaxBytes = segmentMaxBytes
        options.segmentMaxAge = min(3600, options.retention / 4)
        return options
    }

    /// Explicit keys plus the demo keys (seeded by `demoKeySeed`, else by `stackSeed`), in that order.
    public func allAPIKeys(stackSeed: UInt64) -> [APIKey] {
        apiKeys + Self.demoAPIKeys(seed: demoKeySeed ?? String(stackSeed), count: demoKeyCount)
    }

    /// Demo keys derived from a seed (HMAC-SHA256), 40 alphanumerics like API Gateway's, so the harness can
    /// compute the same keys from the same seed: `demo-1` … `demo-N`.
    public static func demoAPIKeys(seed: String, count: Int) -> [APIKey] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        let key = SymmetricKey(data: Array(seed.utf8))
        return (0..<max(0, count)).map { i in
            var value = ""
            var round = 0
            while value.count < 40 {
                let mac = HMAC<SHA256>.authenticationCode(for: Array("gauntlet-upload-api-key/\(i + 1)/\(round)".utf8), using: key)
                for byte in mac where byte < 248 && value.count < 40 {  // 248 = 4 * 62: no modulo bias
                    value.append(alphabet[Int(byte) % alphabet.count])
                }
                round += 1
            }
            return APIKey(name: "demo-\(i + 1)", value: value)
        }
    }
}
