import Foundation

/// Everything a run measured, as written to `summary.json` (schema version 1; snake_case keys; every
/// duration in seconds, every rate per second, sizes in bytes unless a key says MB).
///
/// Reports, `compare` and CI read runs only through this type (and the interval logs beside it), so it
/// must be encoded and decoded with `RunSummary.encode`/`RunSummary.decode`, which fix the key style.
public struct RunSummary: Sendable, Equatable, Codable {
    /// 2 split `schedule_lag` into `generator_lag` and `connection_wait` (added fields only).
    public static let currentSchemaVersion = 2
    /// Versions `decode` accepts: every field a later version added is optional.
    public static let readableSchemaVersions = 1...currentSchemaVersion

    public var schemaVersion: Int
    public var scenario: ScenarioInfo
    public var machine: MachineInfo
    /// ISO 8601 UTC, with milliseconds.
    public var startedAt: String
    public var endedAt: String
    /// Seconds the run actually lasted, warm-up included.
    public var elapsed: Double
    /// Seconds of results (non-warm-up time actually run).
    public var measuredDuration: Double
    /// True when the run ended early (SIGINT/SIGTERM, or a fatal error); `partialReason` says why.
    public var partial: Bool
    public var partialReason: String?
    /// Per request type: totals over the measured (non-warm-up) phases, and each phase on its own.
    public var requestTypes: [RequestTypeSummary]
    /// Every request type together (measured phases only).
    public var all: RequestStats
    public var misroutes: MisrouteSummary
    public var auth: AuthSummary
    public var upload: UploadSummary?
    public var scheduleLag: ScheduleLagSummary
    public var thresholds: [ThresholdResult]
    /// Warnings a person must see (the generator fell behind, a target died, …).
    public var warnings: [String]
    /// Set when this run was one shard of a sharded run (`run --shard K/N`); absent otherwise.
    public var shard: ShardInfo?
    /// Set on the result of `gauntlet merge`: the shards it added up; absent otherwise.
    public var merge: MergeInfo?

    public init(
        scenario: ScenarioInfo, machine: MachineInfo, startedAt: String, endedAt: String, elapsed: Double,
        measuredDuration: Double, partial: Bool, partialReason: String?, requestTypes: [RequestTypeSummary],
        all: RequestStats, misroutes: MisrouteSummary, auth: AuthSummary, upload: UploadSummary?,
        scheduleLag: ScheduleLagSummary, thresholds: [ThresholdResult], warnings: [String]
    ) {
        self.schemaVersion = Self.currentSchemaVersion
        self.scenario = scenario
        self.machine = machine
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.elapsed = elapsed
        self.measuredDuration = measuredDuration
        self.partial = partial
        self.partialReason = partialReason
        self.requestTypes = requestTypes
        self.all = all
        self.misroutes = misroutes
        self.auth = auth
        self.upload = upload
        self.scheduleLag = scheduleLag
        self.thresholds = thresholds
        self.warnings = warnings
    }

    /// Pretty, sorted-key JSON with snake_case keys.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Decodes `summary.json`; refuses a schema version this build does not know.
    public static func decode(_ data: Data) throws -> RunSummary {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in SnakeCaseKey(camelCasing: path.last?.stringValue ?? "") }
        let summary = try decoder.decode(RunSummary.self, from: data)
        guard readableSchemaVersions.contains(summary.schemaVersion) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: [], debugDescription: "summary.json has schema_version \(summary.schemaVersion); this Gauntlet reads \(readableSchemaVersions.lowerBound)–\(currentSchemaVersion)"))
        }
        return summary
    }

    public func stats(for type: RequestType) -> RequestTypeSummary? {
        requestTypes.first { $0.type == type }
    }
}

public struct ScenarioInfo: Sendable, Equatable, Codable {
    public var name: String
    public var description: String?
    public var seed: UInt64
    public var gauntletVersion: String
    /// `embedded`, or the load balancer's URL for a remote target.
    public var target: String
    /// The scenario's planned duration, warm-up included.
    public var duration: Double
    public var phases: [PhaseInfo]

    public init(name: String, description: String?, seed: UInt64, gauntletVersion: String, target: String, duration: Double, phases: [PhaseInfo]) {
        self.name = name
        self.description = description
        self.seed = seed
        self.gauntletVersion = gauntletVersion
        self.target = target
        self.duration = duration
        self.phases = phases
    }
}

public struct PhaseInfo: Sendable, Equatable, Codable {
    public var name: String
    public var start: Double
    public var duration: Double
    public var warmup: Bool

    public init(name: String, start: Double, duration: Double, warmup: Bool) {
        self.name = name
        self.start = start
        self.duration = duration
        self.warmup = warmup
    }
}

public struct MachineInfo: Sendable, Equatable, Codable {
    public var hostname: String
    public var cpus: Int
    public var os: String

    public init(hostname: String, cpus: Int, os: String) {
        self.hostname = hostname
        self.cpus = cpus
        self.os = os
    }

    public static var current: MachineInfo {
        let info = ProcessInfo.processInfo
        return MachineInfo(hostname: info.hostName, cpus: info.activeProcessorCount, os: info.operatingSystemVersionString)
    }
}

public struct RequestTypeSummary: Sendable, Equatable, Codable {
    public var type: RequestType
    /// The measured phases together.
    public var total: RequestStats
    public var phases: [PhaseStats]

    public init(type: RequestType, total: RequestStats, phases: [PhaseStats]) {
        self.type = type
        self.total = total
        self.phases = phases
    }
}

public struct PhaseStats: Sendable, Equatable, Codable {
    public var phase: String
    public var warmup: Bool
    public var stats: RequestStats

    public init(phase: String, warmup: Bool, stats: RequestStats) {
        self.phase = phase
        self.warmup = warmup
        self.stats = stats
    }
}

/// Counts, rates and latency of a set of requests.
public struct RequestStats: Sendable, Equatable, Codable {
    /// Requests completed (any outcome).
    public var count: Int
    /// Completed as the oracle expected.
    public var ok: Int
    /// Failed (transport errors, unexpected statuses, misroutes); see `errors`.
    public var failed: Int
    /// Uploads refused for an allowed reason (throttled, too large …): neither ok nor errors.
    public var rejected: Int
    /// Requests the schedule intended over the same time — the arrivals it actually drew (a Poisson
    /// schedule's count varies around its mean) or the replay's items, sent or not; nil for closed-loop
    /// (`max`) schedules.
    public var intendedCount: Double?
    public var intendedRate: Double?
    public var achievedRate: Double
    /// Latency from the intended send time (coordinated-omission-corrected).
    public var latency: LatencyPercentiles?
    /// Latency from the actual send time (service time, uncorrected).
    public var serviceTime: LatencyPercentiles?
    public var errors: [CategoryCount]
    /// Responses by status code.
    public var statuses: [StatusCount]

    public init(
        count: Int, ok: Int, failed: Int, rejected: Int, intendedCount: Double?, intendedRate: Double?, achievedRate: Double,
        latency: LatencyPercentiles?, serviceTime: LatencyPercentiles?, errors: [CategoryCount], statuses: [StatusCount]
    ) {
        self.count = count
        self.ok = ok
        self.failed = failed
        self.rejected = rejected
        self.intendedCount = intendedCount
        self.intendedRate = intendedRate
        self.achievedRate = achievedRate
        self.latency = latency
        self.serviceTime = serviceTime
        self.errors = errors
        self.statuses = statuses
    }

    public var errorRate: Double { count > 0 ? Double(failed) / Double(count) : 0 }
}

public struct CategoryCount: Sendable, Equatable, Codable {
    public var category: String
    public var count: Int

    public init(category: String, count: Int) {
        self.category = category
        self.count = count
    }
}

public struct StatusCount: Sendable, Equatable, Codable {
    public var status: Int
    public var count: Int

    public init(status: Int, count: Int) {
        self.status = status
        self.count = count
    }
}

public struct MisrouteSummary: Sendable, Equatable, Codable {
    public var total: Int
    /// Misroutes per checked response (measured phases).
    public var rate: Double
    public var kinds: [MisrouteKindSummary]

    public init(total: Int, rate: Double, kinds: [MisrouteKindSummary]) {
        self.total = total
        self.rate = rate
        self.kinds = kinds
    }
}

public struct MisrouteKindSummary: Sendable, Equatable, Codable {
    public var kind: MisrouteKind
    public var count: Int
    public var examples: [MisrouteExample]

    public init(kind: MisrouteKind, count: Int, examples: [MisrouteExample]) {
        self.kind = kind
        self.count = count
        self.examples = examples
    }
}

/// One misrouted response, kept so that a person can see what went wrong.
public struct MisrouteExample: Sendable, Equatable, Codable {
    public var kind: MisrouteKind
    public var type: RequestType
    public var method: String
    public var path: String
    /// `managers`, `analysts`, or nil for a request without a session.
    public var role: String?
    public var expected: String
    public var status: Int
    public var servedBy: String?
    public var location: String?
    /// Seconds since the start of the run.
    public var at: Double

    public init(kind: MisrouteKind, type: RequestType, method: String, path: String, role: String?, expected: String, status: Int, servedBy: String?, location: String?, at: Double) {
        self.kind = kind
        self.type = type
        self.method = method
        self.path = path
        self.role = role
        self.expected = expected
        self.status = status
        self.servedBy = servedBy
        self.location = location
        self.at = at
    }
}

/// Authentication latency by step (login end to end, InitiateAuth, token endpoint, refresh) and by hop
/// (DNS, TCP connect, TLS handshake, time to first byte, the load balancer's own authentication time and
/// the time spent in the target, from `Server-Timing`).
public struct AuthSummary: Sendable, Equatable, Codable {
    public var steps: [AuthStepSummary]
    public var hops: [AuthStepSummary]
    public var logins: Int
    public var loginFailures: Int
    public var refreshes: Int

    public init(steps: [AuthStepSummary], hops: [AuthStepSummary], logins: Int, loginFailures: Int, refreshes: Int) {
        self.steps = steps
        self.hops = hops
        self.logins = logins
        self.loginFailures = loginFailures
        self.refreshes = refreshes
    }

    /// A step or hop by its `MetricCatalog.authSteps` name.
    public func latency(of name: String) -> LatencyPercentiles? {
        (steps + hops).first { $0.step == name }?.latency
    }
}

public struct AuthStepSummary: Sendable, Equatable, Codable {
    public var step: String
    public var latency: LatencyPercentiles?

    public init(step: String, latency: LatencyPercentiles?) {
        self.step = step
        self.latency = latency
    }
}

public struct UploadSummary: Sendable, Equatable, Codable {
    public var batches: Int
    /// Events and bytes acknowledged (2xx) in the measured phases.
    public var events: Int
    public var bytes: Int
    public var eventsPerSecond: Double
    public var mbPerSecond: Double
    public var rejected: [CategoryCount]
    /// Time from acknowledgement until Analytics search sees the batch, sampled; nil when not sampled.
    public var freshness: LatencyPercentiles?

    public init(batches: Int, events: Int, bytes: Int, eventsPerSecond: Double, mbPerSecond: Double, rejected: [CategoryCount], freshness: LatencyPercentiles?) {
        self.batches = batches
        self.events = events
        self.bytes = bytes
        self.eventsPerSecond = eventsPerSecond
        self.mbPerSecond = mbPerSecond
        self.rejected = rejected
        self.freshness = freshness
    }

    public var rejectedTotal: Int { rejected.reduce(0) { $0 + $1.count } }
}

/// How late the generator itself sent requests (actual send − intended send).
public struct ScheduleLagSummary: Sendable, Equatable, Codable {
    /// The whole lag, `sent - intended`: connection wait and generator lag together.
    public var lag: LatencyPercentiles?
    /// True when the generator could not keep up with the schedule: the run did not deliver the load asked for.
    public var fellBehind: Bool
    public var message: String?
    /// Schema 2. Due with a connection free, but sent late: the generator's own health.
    public var generatorLag: LatencyPercentiles?
    /// Schema 2. Due while the target held every connection of the lane: the target's backpressure. Only
    /// requests that waited are in it, so its `count` is how many waited.
    public var connectionWait: LatencyPercentiles?
    /// Schema 2. What the connection wait means, when requests waited (a target symptom, not the generator's).
    public var connectionMessage: String?

    public init(
        lag: LatencyPercentiles?, fellBehind: Bool, message: String?, generatorLag: LatencyPercentiles? = nil,
        connectionWait: LatencyPercentiles? = nil, connectionMessage: String? = nil
    ) {
        self.lag = lag
        self.fellBehind = fellBehind
        self.message = message
        self.generatorLag = generatorLag
        self.connectionWait = connectionWait
        self.connectionMessage = connectionMessage
    }
}

public struct ThresholdResult: Sendable, Equatable, Codable {
    public var expression: String
    public var metric: String
    /// In the metric's base unit; nil when the run produced no value.
    public var measured: Double?
    public var limit: Double
    public var passed: Bool
    /// `measured 187ms — ok`, for people.
    public var message: String

    public init(_ verdict: ThresholdVerdict) {
        self.expression = verdict.threshold.expression
        self.metric = verdict.threshold.metric
        self.measured = verdict.measured
        self.limit = verdict.threshold.limit
        self.passed = verdict.passed
        self.message = verdict.summary
    }
}

/// snake_case → camelCase for decoding, leaving `_` before a digit alone so that `p99_9` stays `p99_9`
/// (Foundation's `.convertFromSnakeCase` would turn it into `p999`).
struct SnakeCaseKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(camelCasing snake: String) {
        var result = ""
        var upperNext = false
        for (offset, character) in snake.enumerated() {
            if character == "_", offset > 0 {
                upperNext = true
                continue
            }
            if upperNext {
                result += character.isNumber ? "_" + String(character) : character.uppercased()
                upperNext = false
            } else {
                result.append(character)
            }
        }
        stringValue = result
    }

    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
