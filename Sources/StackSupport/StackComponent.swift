import Foundation
import Logging
import NIOSSL

/// The conventions every reference-stack component follows, so the runner can plug one in with a few lines.
///
/// **Config.** A component owns one section of the stack YAML (`identity:`, `dns:`, `lb:`, `upload:` …).
/// Its section type conforms to ``StackConfigSection``: `Codable`, every key optional with a default
/// (`init()` is the all-defaults value), unknown keys rejected. Write `init(from:)` like this:
///
/// ```swift
/// public init(from decoder: any Decoder) throws {
///     try decoder.rejectUnknownKeys(CodingKeys.self)       // CodingKeys: String, CodingKey, CaseIterable
///     let c = try decoder.container(keyedBy: CodingKeys.self)
///     let d = Self()
///     port = try c.value(.port, default: d.port)
/// }
/// ```
///
/// so that `StackConfigLoader` can report a bad key or value with its line and column.
///
/// **Start-up.** A component is built from its section plus a ``StackContext`` (names, CA, state dir,
/// seed, region, logger) and whatever it needs from components started before it. It exposes one or more
/// `Service`s (Hummingbird applications made with ``TLSListener``) and a ``BoundPort`` per listener. The
/// runner adds the services to its `ServiceGroup`, awaits every `BoundPort`, and then writes the endpoints.
public protocol StackConfigSection: Codable, Sendable, Equatable {
    /// The section with every default applied: what an empty or absent section means.
    init()
}

/// What every component gets from the runner.
public struct StackContext: Sendable {
    public var names: StackNames
    public var ca: StackCA
    public var stateDirectory: URL
    /// The stack's seed: demo users, keys' randomness where determinism helps, everything reproducible.
    public var seed: UInt64
    /// The AWS region the stack pretends to be in (`us-east-1`); it shows up in issuers and ARNs.
    public var region: String
    public var logger: Logger

    public init(names: StackNames, ca: StackCA, stateDirectory: URL, seed: UInt64, region: String, logger: Logger) {
        self.names = names
        self.ca = ca
        self.stateDirectory = stateDirectory
        self.seed = seed
        self.region = region
        self.logger = logger
    }

    public func serverTLS() throws -> TLSConfiguration { try ca.serverTLSConfiguration() }
}
