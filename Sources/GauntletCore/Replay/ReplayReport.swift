import Foundation

/// The "what changed" figures of a replay that was sent, as `replay.json` in its results directory:
/// how much of the plan was replayed, how the statuses compare with the recording, how late the
/// replay ran, and how long it took against the recorded span.
public struct ReplayReport: Codable, Sendable, Equatable {
    public struct Difference: Codable, Sendable, Equatable {
        public var method: String
        public var pattern: String
        public var recorded: Int?
        public var replayed: Int?
        public var count: Int
        public var example: String
    }

    public struct Lag: Codable, Sendable, Equatable {
        public var p50: Double
        public var p99: Double
        public var max: Double
    }

    public struct LatencyRow: Codable, Sendable, Equatable {
        public var method: String
        public var pattern: String
        public var count: Int
        public var recordedMean: Double
        public var replayedMean: Double
    }

    /// Last minus first recorded time of the planned requests, seconds.
    public var recordedSpan: Double
    /// The last intended send time (the recorded span scaled by --speed, or re-paced by --rate).
    public var plannedSpan: Double
    /// When the last replayed request was actually sent, seconds after the replay's start.
    public var sentSpan: Double
    public var planned: Int
    public var plannedByType: [String: Int]
    public var replayed: Int
    public var replayedByType: [String: Int]
    /// Planned requests missing from the replay's log, and replayed ones not in the plan.
    public var unreplayed: Int
    public var unexpected: Int
    public var statusesCompared: Int
    public var statusesMatched: Int
    public var differences: [Difference]
    public var scheduleLag: Lag?
    public var latency: [LatencyRow]

    enum CodingKeys: String, CodingKey {
        case recordedSpan = "recorded_span", plannedSpan = "planned_span", sentSpan = "sent_span"
        case planned, plannedByType = "planned_by_type", replayed, replayedByType = "replayed_by_type"
        case unreplayed, unexpected, statusesCompared = "statuses_compared", statusesMatched = "statuses_matched"
        case differences, scheduleLag = "schedule_lag", latency
    }

    public init(
        recordedSpan: Double, plannedSpan: Double, sentSpan: Double, plannedByType: [RequestType: Int], replayedByType: [RequestType: Int],
        matcher: ReplayMatcher, comparison: ReplayComparison
    ) {
        self.recordedSpan = recordedSpan
        self.plannedSpan = plannedSpan
        self.sentSpan = sentSpan
        self.planned = plannedByType.values.reduce(0, +)
        self.plannedByType = Dictionary(uniqueKeysWithValues: plannedByType.map { ($0.key.rawValue, $0.value) })
        self.replayed = replayedByType.values.reduce(0, +)
        self.replayedByType = Dictionary(uniqueKeysWithValues: replayedByType.map { ($0.key.rawValue, $0.value) })
        self.unreplayed = matcher.unreplayed
        self.unexpected = matcher.unexpected
        self.statusesCompared = comparison.total
        self.statusesMatched = comparison.matched
        self.differences = comparison.differences.map {
            Difference(method: $0.method, pattern: $0.pattern, recorded: $0.recorded, replayed: $0.replayed, count: $0.count, example: $0.example.description)
        }
        if let p50 = matcher.lag(quantile: 0.5), let p99 = matcher.lag(quantile: 0.99), let max = matcher.lag(quantile: 1) {
            scheduleLag = Lag(p50: p50, p99: p99, max: max)
        }
        self.latency = comparison.latency.map {
            LatencyRow(method: $0.method, pattern: $0.pattern, count: $0.count, recordedMean: $0.recordedMean, replayedMean: $0.replayedMean)
        }
    }

    /// Pretty, sorted JSON.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
